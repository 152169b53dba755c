//! Where am I: the flow, the step of it the wizard is at, and what it works
//! on (organization, destination by name). The header draws it on every
//! screen.

use super::{Flow, Screen, State};

/// The steps of a flow, in order.
fn steps(flow: Flow) -> &'static [&'static str] {
    match flow {
        Flow::Connect | Flow::ChangeTenant => &[
            "Sign in",
            "Organization",
            "Directory",
            "Prerequisites",
            "Plan",
            "Confirm",
            "Apply",
            "Verify",
            "Done",
        ],
        Flow::Disconnect => &[
            "Sign in",
            "Organization",
            "Prerequisites",
            "Plan",
            "Confirm",
            "Apply",
            "Verify",
            "Done",
        ],
        Flow::Resolve => &["Sign in", "Organization", "Resolve", "Done"],
        Flow::Recover => &["Sign in", "Organization", "Recover", "Done"],
        Flow::CheckOnly => &[
            "Sign in",
            "Organization",
            "Directory",
            "Prerequisites",
            "Done",
        ],
    }
}

/// The step a screen stands for (`None` on Welcome, before a flow starts).
fn step_of(screen: &Screen) -> Option<&'static str> {
    Some(match screen {
        Screen::Welcome(_) => return None,
        Screen::SignIn(_) => "Sign in",
        Screen::PickOrg(_) => "Organization",
        Screen::PickTenant(_) => "Directory",
        Screen::Prereqs(_) => "Prerequisites",
        Screen::Plan(_) => "Plan",
        Screen::Confirm(_) => "Confirm",
        Screen::Apply(_) => "Apply",
        Screen::Verify(_) | Screen::Diagnosis(_) => "Verify",
        Screen::Resolve(_) => "Resolve",
        Screen::Recover(_) => "Recover",
        Screen::Done(_) => "Done",
    })
}

/// The header's "where am I".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breadcrumb {
    /// The flow, short (`Connect`).
    pub flow: &'static str,
    /// 1-based step number and the number of steps.
    pub step: usize,
    pub steps: usize,
    /// The step's name.
    pub name: &'static str,
    /// The organization, once chosen.
    pub org: Option<String>,
    /// The destination by name, once chosen.
    pub destination: Option<String>,
}

/// Where the wizard is, or `None` on Welcome.
pub fn breadcrumb(state: &State) -> Option<Breadcrumb> {
    let name = step_of(&state.screen)?;
    let flow = state.session.flow;
    let all = steps(flow);
    // A screen outside the flow's list (Resolve after a connect) counts as
    // the step before Done.
    let step = all
        .iter()
        .position(|s| *s == name)
        .unwrap_or(all.len().saturating_sub(2))
        + 1;
    let choice = state.session.choice.as_ref();
    Some(Breadcrumb {
        flow: flow.short(),
        step,
        steps: all.len(),
        name,
        org: choice.map(|c| c.org.clone()).filter(|o| !o.is_empty()),
        destination: choice.and_then(|c| c.destination.as_ref()).map(|d| {
            if d.display_name.is_empty() || d.display_name == d.id {
                d.id.clone()
            } else {
                d.display_name.clone()
            }
        }),
    })
}

impl Breadcrumb {
    /// The header text, as long as fits in `width` columns: everything,
    /// then without the destination, then without the step's name.
    pub fn text(&self, width: usize) -> String {
        let target = match (&self.org, &self.destination) {
            (Some(o), Some(d)) => format!(" · {o} → {d}"),
            (Some(o), None) => format!(" · {o}"),
            _ => String::new(),
        };
        let org_only = self
            .org
            .as_ref()
            .map(|o| format!(" · {o}"))
            .unwrap_or_default();
        let candidates = [
            format!(
                "{} · step {}/{} {}{target}",
                self.flow, self.step, self.steps, self.name
            ),
            format!(
                "{} · step {}/{} {}{org_only}",
                self.flow, self.step, self.steps, self.name
            ),
            format!(
                "{} · step {}/{} {}",
                self.flow, self.step, self.steps, self.name
            ),
            format!("{}/{} {}", self.step, self.steps, self.name),
        ];
        candidates
            .iter()
            .find(|c| c.chars().count() <= width)
            .cloned()
            .unwrap_or_else(|| candidates[3].chars().take(width).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{Choice, Environment, TenantInfo};

    #[test]
    fn the_step_follows_the_screen_and_the_text_fits() {
        let mut s = State::new(Environment::azure(), false);
        assert_eq!(breadcrumb(&s), None, "Welcome has none");
        s.session.flow = Flow::Connect;
        s.screen = Screen::Prereqs(Default::default());
        s.session.choice = Some(Choice {
            org: "fabrikam".into(),
            destination: Some(TenantInfo {
                id: "t".into(),
                display_name: "Contoso".into(),
                domain: "contoso.com".into(),
            }),
        });
        let b = breadcrumb(&s).unwrap();
        assert_eq!((b.step, b.steps, b.name), (4, 9, "Prerequisites"));
        assert_eq!(
            b.text(80),
            "Connect · step 4/9 Prerequisites · fabrikam → Contoso"
        );
        assert_eq!(b.text(40), "Connect · step 4/9 Prerequisites");
        assert_eq!(b.text(20), "4/9 Prerequisites");
        s.session.flow = Flow::Disconnect;
        assert_eq!(breadcrumb(&s).unwrap().step, 3);
        s.session.flow = Flow::Resolve;
        s.screen = Screen::Done(Default::default());
        let b = breadcrumb(&s).unwrap();
        assert_eq!((b.step, b.steps), (4, 4));
    }
}
