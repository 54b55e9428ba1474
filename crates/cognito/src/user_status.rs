//! A user's Cognito `UserStatus`, as a type: the statuses AWS documents, and any other kept as AWS spelled it.

use std::fmt;

/// A user's `UserStatus`, as AdminGetUser and ListUsers report it.
///
/// AWS adds statuses: one this workspace does not know is [`UserStatus::Other`], shown as AWS spelled it and
/// never refused. A user whose status AWS left out is [`UserStatus::Unknown`], AWS's own word for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum UserStatus {
    /// `UNCONFIRMED`: signed up, not yet confirmed.
    Unconfirmed,
    /// `CONFIRMED`: has a password of their own.
    Confirmed,
    /// `ARCHIVED`: no longer active.
    Archived,
    /// `COMPROMISED`: disabled because of a potential security threat.
    Compromised,
    /// `UNKNOWN`: AWS does not know (also what a user without a reported status is).
    Unknown,
    /// `RESET_REQUIRED`: must reset the password before signing in.
    ResetRequired,
    /// `FORCE_CHANGE_PASSWORD`: created by an administrator, still on the temporary password.
    ForceChangePassword,
    /// `EXTERNAL_PROVIDER`: signs in through a third-party identity provider.
    ExternalProvider,
    /// A status this workspace does not name (AWS added it later), kept as AWS spelled it.
    Other(String),
}

impl UserStatus {
    /// Every status this workspace names, for parsing.
    const NAMED: [UserStatus; 8] = [
        UserStatus::Unconfirmed,
        UserStatus::Confirmed,
        UserStatus::Archived,
        UserStatus::Compromised,
        UserStatus::Unknown,
        UserStatus::ResetRequired,
        UserStatus::ForceChangePassword,
        UserStatus::ExternalProvider,
    ];

    /// AWS's spelling, e.g. `FORCE_CHANGE_PASSWORD`.
    pub fn as_str(&self) -> &str {
        match self {
            UserStatus::Unconfirmed => "UNCONFIRMED",
            UserStatus::Confirmed => "CONFIRMED",
            UserStatus::Archived => "ARCHIVED",
            UserStatus::Compromised => "COMPROMISED",
            UserStatus::Unknown => "UNKNOWN",
            UserStatus::ResetRequired => "RESET_REQUIRED",
            UserStatus::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
            UserStatus::ExternalProvider => "EXTERNAL_PROVIDER",
            UserStatus::Other(status) => status,
        }
    }

    /// The status AWS reported, [`UserStatus::Unknown`] when it reported none.
    pub(crate) fn reported(status: Option<&str>) -> UserStatus {
        status.map_or(UserStatus::Unknown, UserStatus::from)
    }
}

impl From<&str> for UserStatus {
    fn from(status: &str) -> Self {
        UserStatus::NAMED
            .into_iter()
            .find(|named| named.as_str() == status)
            .unwrap_or_else(|| UserStatus::Other(status.to_owned()))
    }
}

/// As AWS spells it; a status this build does not know is Cognito's text, so it is shown escaped.
impl fmt::Display for UserStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", pool_spec::Shown(self.as_str()))
    }
}

/// As AWS spells it, the form `--json` output has always had.
impl serde::Serialize for UserStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_cognitoidentityprovider::types::UserStatusType;

    use super::*;

    #[test]
    fn every_status_of_the_sdk_is_named_and_spelled_as_aws_does() {
        for spelling in UserStatusType::values() {
            let status = UserStatus::from(*spelling);
            assert!(!matches!(status, UserStatus::Other(_)), "{spelling}");
            assert_eq!(status.as_str(), *spelling);
            assert_eq!(status.to_string(), *spelling);
        }
        assert_eq!(UserStatus::NAMED.len(), UserStatusType::values().len());
    }

    #[test]
    fn a_status_aws_added_later_is_kept_and_shown() {
        let status = UserStatus::from("PENDING_SOMETHING_NEW");
        assert_eq!(status, UserStatus::Other("PENDING_SOMETHING_NEW".into()));
        assert_eq!(status.to_string(), "PENDING_SOMETHING_NEW");
        assert_eq!(
            serde_json::to_value(&status).unwrap(),
            serde_json::json!("PENDING_SOMETHING_NEW")
        );
        assert_eq!(UserStatus::from("confirmed"), UserStatus::Other("confirmed".into()));
    }

    #[test]
    fn a_status_aws_left_out_is_unknown() {
        assert_eq!(UserStatus::reported(None), UserStatus::Unknown);
        assert_eq!(UserStatus::reported(None).to_string(), "UNKNOWN");
        assert_eq!(UserStatus::reported(Some("CONFIRMED")), UserStatus::Confirmed);
    }
}
