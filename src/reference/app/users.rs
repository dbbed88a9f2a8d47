//! The fixed synthetic users; vvcheck's target profiles carry their canary values.

/// What a user may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Patient,
    Clinician,
    Admin,
}

impl Role {
    /// The role as the APIs spell it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Role::Patient => "patient",
            Role::Clinician => "clinician",
            Role::Admin => "admin",
        }
    }
}

/// One synthetic account. Patients carry PHI (date of birth, Ontario health number).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct User {
    pub actor: &'static str,
    pub id: &'static str,
    pub username: &'static str,
    pub display_name: &'static str,
    pub dob: Option<&'static str>,
    /// Health card number and version code.
    pub hcn: Option<(&'static str, &'static str)>,
    pub role: Role,
}

/// Every account, in the order credentials are reported.
pub(crate) static USERS: [User; 5] = [
    User {
        actor: "patient_a",
        id: "u-pa-7f3a",
        username: "zoe.tremblay@patients.reference.test",
        display_name: "Zoë Tremblay",
        dob: Some("1961-04-02"),
        hcn: Some(("9876543217", "AB")),
        role: Role::Patient,
    },
    User {
        actor: "patient_b",
        id: "u-pb-2c91",
        username: "marc.lefebvre@patients.reference.test",
        display_name: "Marc-André Lefebvre",
        dob: Some("1978-11-23"),
        hcn: Some(("4512638794", "KT")),
        role: Role::Patient,
    },
    // An account of its own for the lockout probe, which locks it; no other check signs in as it.
    User {
        actor: "patient_c",
        id: "u-pc-5e08",
        username: "lina.haddad@patients.reference.test",
        display_name: "Lina Haddad",
        dob: Some("1990-07-14"),
        hcn: Some(("6203917452", "RN")),
        role: Role::Patient,
    },
    User {
        actor: "clinician",
        id: "u-cl-31d5",
        username: "amrit.singh@clinic.reference.test",
        display_name: "Dr. Amrit Singh",
        dob: None,
        hcn: None,
        role: Role::Clinician,
    },
    User {
        actor: "admin",
        id: "u-ad-90e4",
        username: "chantal.roy@clinic.reference.test",
        display_name: "Chantal Roy",
        dob: None,
        hcn: None,
        role: Role::Admin,
    },
];

/// The user with this id.
pub(crate) fn by_id(id: &str) -> Option<&'static User> {
    USERS.iter().find(|u| u.id == id)
}

/// The user with this username (case-insensitive, as e-mail addresses are).
pub(crate) fn by_username(username: &str) -> Option<&'static User> {
    USERS
        .iter()
        .find(|u| u.username.eq_ignore_ascii_case(username.trim()))
}

/// Whether `from` may open a conversation with `to`: patients with clinicians, both ways.
pub(crate) fn may_converse(from: &User, to: &User) -> bool {
    matches!(
        (from.role, to.role),
        (Role::Patient, Role::Clinician) | (Role::Clinician, Role::Patient)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn luhn_ok(digits: &str) -> bool {
        let sum: u32 = digits
            .chars()
            .rev()
            .filter_map(|c| c.to_digit(10))
            .enumerate()
            .map(|(i, d)| {
                if i % 2 == 1 {
                    (d * 2) / 10 + (d * 2) % 10
                } else {
                    d
                }
            })
            .sum();
        sum.is_multiple_of(10)
    }

    #[test]
    fn reference_health_numbers_are_luhn_valid() {
        for (hcn, _) in USERS.iter().filter_map(|u| u.hcn) {
            assert!(luhn_ok(hcn), "{hcn}");
        }
    }
}
