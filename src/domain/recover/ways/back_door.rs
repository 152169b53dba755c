//! Way 3: the back door, the page where the original owner's personal
//! account still gets in and can disconnect the directory.

use crate::domain::recover::assessment::{Way, WayId, WayStatus, way};
use crate::domain::recover::facts::{Facts, Kind};
use crate::domain::recover::messages::handover_after;

pub(crate) fn back_door_way(f: &Facts) -> Way {
    let id = WayId::BackDoor;
    if !f.connected {
        return way(
            id,
            WayStatus::NotApplicable,
            "The organization is not connected to a directory.",
        );
    }
    if let Some(t) = f.last_try(id) {
        let mut w = way(
            id,
            if t.ok {
                WayStatus::Done
            } else {
                WayStatus::Failed
            },
            t.outcome.clone(),
        );
        if t.ok {
            w.steps = handover_after(f, id);
        } else {
            w.steps = vec!["Go on with ways 4 and 5.".into()];
            w.command = Some(format!(
                "ado-entra recover --org {} --way back-door --wait 900",
                f.org
            ));
        }
        return w;
    }
    let owner = f.owner_address();
    if f.owner_is_personal() == Some(false) {
        return way(
            id,
            WayStatus::NotApplicable,
            format!(
                "The owner {} is not a personal Microsoft account; the back door is for the personal account the organization was created with.",
                owner.unwrap_or_default()
            ),
        );
    }
    let personal = f
        .identities
        .iter()
        .find(|i| i.kind == Kind::Personal && (i.is_owner == Some(true) || owner.is_none()));
    let steps = |who: &str| {
        vec![
            format!("Open {} and sign in with {who}: choose \"Personal account\" if asked, not a work or school account.", f.urls.back_door),
            format!("Find '{}' in your organizations and choose to disconnect it from Microsoft Entra ID.", f.org),
            "ado-entra checks the organization while you do and continues once it is disconnected (then you sign in again with the personal account).".into(),
            "Microsoft does not document this page's disconnect; owners report it there (Microsoft Q&A). If the page does not offer it, go on with ways 4 and 5.".into(),
        ]
    };
    match personal {
        Some(i) => {
            let mut w = way(
                id,
                WayStatus::Available,
                if i.is_owner == Some(true) {
                    format!(
                        "{} is the owner's personal account: that page still lets it in.",
                        i.address
                    )
                } else {
                    format!(
                        "If {} is the personal account the organization was created with, that page still lets it in.",
                        i.address
                    )
                },
            );
            w.steps = steps(&i.address);
            w.command = Some(format!(
                "ado-entra recover --org {} --way back-door --wait 900",
                f.org
            ));
            w
        }
        None => {
            let who = owner.unwrap_or("the owner's personal account");
            let mut w = way(
                id,
                WayStatus::NeedsSomeone,
                format!(
                    "Only the owner's personal account ({who}) gets in there; sign in with it first: ado-entra login --tenant consumers"
                ),
            );
            w.steps = steps(who);
            w
        }
    }
}
