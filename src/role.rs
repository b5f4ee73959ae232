//! What a person may do at their school. Ordered: a learner < an instructor < an admin.

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Learner,
    Instructor,
    Admin,
}

impl Role {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "learner" => Some(Self::Learner),
            "instructor" => Some(Self::Instructor),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Learner => "learner",
            Self::Instructor => "instructor",
            Self::Admin => "admin",
        }
    }
}
