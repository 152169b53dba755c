//! `/aex` (aexprodcus1.vsaex.visualstudio.com): the EnterpriseCatalog.

use super::*;

/// `/aex/_apis/EnterpriseCatalog/Organizations?tenantId=`: CSV of the
/// organizations connected to a tenant; the sign-in page when the token is not
/// from that tenant.
pub fn aex(sh: &Shared, req: &Req) -> Response {
    if let Some(r) = locations::discovery(sh, "aex", req) {
        return r;
    }
    // The back door's page (`aex.dev.azure.com/me`), on the same prefix.
    if let Some(r) = super::back_door::aex_me(sh, req) {
        return r;
    }
    let p = req.lpath();
    if !(req.method == "GET" && p.as_slice() == ["_apis", "enterprisecatalog", "organizations"]) {
        return ado_error(
            404,
            "RouteNotFoundException",
            "The requested resource does not exist.",
        );
    }
    let Some(tenant) = req.q("tenantId").map(str::to_ascii_lowercase) else {
        return ado_error(
            400,
            "InvalidArgumentValueException",
            "The tenantId query parameter is required.",
        );
    };
    let claims = req
        .header("authorization")
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .and_then(|t| jwt::verify(&sh.key, t.trim()))
        .filter(|c| c.exp > Utc::now().timestamp());
    if claims.is_none_or(|c| c.tid != tenant) {
        return wire::sign_in_page();
    }
    let world = sh.world.read().expect("world");
    let mut csv = String::from(
        "Organization Id, Organization Name, Url, Owner, Exception Type, Error Message\r\n",
    );
    for org in world
        .orgs
        .iter()
        .filter(|o| o.tenant.as_deref() == Some(tenant.as_str()))
    {
        let owner = &org.users[org.owner];
        csv.push_str(&format!(
            "{}, {}, {}/dev/{}/, {}, , \r\n",
            org.id, org.name, req.origin, org.name, owner.principal_name
        ));
    }
    wire::text(200, "text/csv; charset=utf-8", csv)
}
