//! The AWS calls each command may make, as one table, and the least-privilege IAM policy of each role
//! built from it. `cargo xtask iam-policy` prints the policies and `docs/iam.rst` shows them; a test runs
//! every command's scenarios through the recording proxy and checks each recorded call against its
//! role, and that each granted action was used.

use std::fmt;

use pool_spec::Shown;
use serde_json::{Value, json};

use crate::{Partition, PoolId};

/// One IAM action this workspace's commands need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    /// `cognito-idp:ListUserPools`: find pools by name.
    ListUserPools,
    /// `cognito-idp:CreateUserPool`.
    CreateUserPool,
    /// `cognito-idp:DescribeUserPool`: observe a pool, tell same-named pools apart by their tags.
    DescribeUserPool,
    /// `cognito-idp:GetUserPoolMfaConfig`.
    GetUserPoolMfaConfig,
    /// `cognito-idp:ListUserPoolClients`: find the app client by name.
    ListUserPoolClients,
    /// `cognito-idp:DescribeUserPoolClient`: observe the app client (its answer holds the client secret).
    DescribeUserPoolClient,
    /// `cognito-idp:ListUserPoolClientSecrets`: which secrets the app client holds (IDs and dates, never values):
    /// whether it has one, and whether a rotation is under way.
    ListUserPoolClientSecrets,
    /// `cognito-idp:AddUserPoolClientSecret`: `rotate-secret` adds the new secret.
    AddUserPoolClientSecret,
    /// `cognito-idp:DeleteUserPoolClientSecret`: `rotate-secret --finish` deletes the old secret.
    DeleteUserPoolClientSecret,
    /// `cognito-idp:DescribeUserPoolDomain`: whether the pool's domain serves managed login (a feature of the
    /// Essentials plan), only for a pool that has a domain.
    DescribeUserPoolDomain,
    /// `cognito-idp:UpdateUserPool`.
    UpdateUserPool,
    /// `cognito-idp:SetUserPoolMfaConfig`.
    SetUserPoolMfaConfig,
    /// `cognito-idp:CreateUserPoolClient`.
    CreateUserPoolClient,
    /// `cognito-idp:UpdateUserPoolClient`.
    UpdateUserPoolClient,
    /// `cognito-idp:AdminCreateUser`.
    AdminCreateUser,
    /// `cognito-idp:AdminGetUser`.
    AdminGetUser,
    /// `cognito-idp:AdminDisableUser`: offboarding.
    AdminDisableUser,
    /// `cognito-idp:AdminUserGlobalSignOut`: offboarding revokes the user's tokens.
    AdminUserGlobalSignOut,
    /// `cognito-idp:AdminEnableUser`.
    AdminEnableUser,
    /// `cognito-idp:AdminDeleteSoftwareToken`: a lost authenticator.
    AdminDeleteSoftwareToken,
    /// `cognito-idp:ListUsers`: `audit` and `users export` read every user of the pool.
    ListUsers,
    /// `cognito-idp:ListGroups`: `users export` reads the pool's groups.
    ListGroups,
    /// `cognito-idp:ListUsersInGroup`: `users export` reads each group's members.
    ListUsersInGroup,
    /// `cognito-idp:CreateGroup`: `users import` creates the file's groups the new pool lacks.
    CreateGroup,
    /// `cognito-idp:AdminAddUserToGroup`: `users import` puts each user back in its groups.
    AdminAddUserToGroup,
    /// `iam:CreateServiceLinkedRole` for `email.cognito-idp.amazonaws.com`: Cognito creates this role the
    /// first time a pool in the account sends email through SES (DEVELOPER), on the caller's authority.
    CreateEmailServiceLinkedRole,
    /// `iam:PassRole` to Cognito: an update carries over the live pool's SMS configuration, whose SNS
    /// caller role Cognito then uses on the caller's authority. Credere's pools send no SMS, so this is
    /// used only for a pool that has one.
    PassSmsRole,
}

/// What an action may be scoped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The call names no pool: `*` is the only resource IAM accepts.
    Any,
    /// The call names one pool: the user pool ARNs.
    UserPool,
    /// The email service-linked role, under a condition on the service name.
    EmailServiceLinkedRole,
    /// Roles of the account, passed to Cognito only.
    RolePassedToCognito,
}

/// The service principal a passed role is for.
pub const COGNITO_SERVICE: &str = "cognito-idp.amazonaws.com";

/// The service Cognito's email service-linked role is for.
pub const EMAIL_SERVICE: &str = "email.cognito-idp.amazonaws.com";

impl Action {
    /// The IAM action name, e.g. `cognito-idp:ListUserPools`.
    pub fn name(self) -> &'static str {
        match self {
            Action::CreateEmailServiceLinkedRole => "iam:CreateServiceLinkedRole",
            Action::PassSmsRole => "iam:PassRole",
            other => other.cognito_name(),
        }
    }

    fn cognito_name(self) -> &'static str {
        match self {
            Action::ListUserPools => "cognito-idp:ListUserPools",
            Action::CreateUserPool => "cognito-idp:CreateUserPool",
            Action::DescribeUserPool => "cognito-idp:DescribeUserPool",
            Action::GetUserPoolMfaConfig => "cognito-idp:GetUserPoolMfaConfig",
            Action::ListUserPoolClients => "cognito-idp:ListUserPoolClients",
            Action::DescribeUserPoolClient => "cognito-idp:DescribeUserPoolClient",
            Action::ListUserPoolClientSecrets => "cognito-idp:ListUserPoolClientSecrets",
            Action::AddUserPoolClientSecret => "cognito-idp:AddUserPoolClientSecret",
            Action::DeleteUserPoolClientSecret => "cognito-idp:DeleteUserPoolClientSecret",
            Action::DescribeUserPoolDomain => "cognito-idp:DescribeUserPoolDomain",
            Action::UpdateUserPool => "cognito-idp:UpdateUserPool",
            Action::SetUserPoolMfaConfig => "cognito-idp:SetUserPoolMfaConfig",
            Action::CreateUserPoolClient => "cognito-idp:CreateUserPoolClient",
            Action::UpdateUserPoolClient => "cognito-idp:UpdateUserPoolClient",
            Action::AdminCreateUser => "cognito-idp:AdminCreateUser",
            Action::AdminGetUser => "cognito-idp:AdminGetUser",
            Action::AdminDisableUser => "cognito-idp:AdminDisableUser",
            Action::AdminUserGlobalSignOut => "cognito-idp:AdminUserGlobalSignOut",
            Action::AdminEnableUser => "cognito-idp:AdminEnableUser",
            Action::AdminDeleteSoftwareToken => "cognito-idp:AdminDeleteSoftwareToken",
            Action::ListUsers => "cognito-idp:ListUsers",
            Action::ListGroups => "cognito-idp:ListGroups",
            Action::ListUsersInGroup => "cognito-idp:ListUsersInGroup",
            Action::CreateGroup => "cognito-idp:CreateGroup",
            Action::AdminAddUserToGroup => "cognito-idp:AdminAddUserToGroup",
            Action::CreateEmailServiceLinkedRole => "iam:CreateServiceLinkedRole",
            Action::PassSmsRole => "iam:PassRole",
        }
    }

    /// The API operation the proxy records for this action; `None` for one Cognito makes on the
    /// caller's behalf (the service-linked role).
    pub fn operation(self) -> Option<&'static str> {
        match self {
            Action::CreateEmailServiceLinkedRole | Action::PassSmsRole => None,
            other => other.cognito_name().strip_prefix("cognito-idp:"),
        }
    }

    fn scope(self) -> Scope {
        match self {
            // DescribeUserPoolDomain names a domain, which IAM does not tie to a pool.
            Action::ListUserPools | Action::CreateUserPool | Action::DescribeUserPoolDomain => Scope::Any,
            Action::CreateEmailServiceLinkedRole => Scope::EmailServiceLinkedRole,
            Action::PassSmsRole => Scope::RolePassedToCognito,
            _ => Scope::UserPool,
        }
    }
}

/// Who runs the tool, each with the least it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// `provision` for both environments: creates and updates pools and app clients.
    Provisioner,
    /// `provision --check`: reads only.
    DriftCheck,
    /// `admin` and `audit`: finds the pool, creates and reads users.
    Admin,
    /// `rotate-secret`: finds the pool and its app client, adds and deletes the client's secrets. Nothing else:
    /// it neither creates nor updates a pool, and it never reads a secret's value (DescribeUserPoolClient).
    Rotator,
    /// `users export`: reads the pool, its users and groups; never its app client (whose description holds the
    /// client secret) and nothing else.
    Export,
    /// `users import`: reads the new pool as `users export` does, creates its users (looking one up after a lost
    /// answer), disables those that were disabled, and restores groups.
    Import,
}

impl Role {
    /// Every role, in the order the documentation shows them.
    pub const ALL: [Role; 6] = [
        Role::Provisioner,
        Role::DriftCheck,
        Role::Admin,
        Role::Rotator,
        Role::Export,
        Role::Import,
    ];

    /// The name used on the command line and in the docs.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Provisioner => "provisioner",
            Role::DriftCheck => "drift-check",
            Role::Admin => "admin",
            Role::Rotator => "rotator",
            Role::Export => "export",
            Role::Import => "import",
        }
    }

    /// The one table: every action each role's commands may make, and nothing else.
    pub fn actions(self) -> &'static [Action] {
        use Action::*;
        const READ: [Action; 7] = [
            ListUserPools,
            DescribeUserPool,
            GetUserPoolMfaConfig,
            ListUserPoolClients,
            DescribeUserPoolClient,
            ListUserPoolClientSecrets,
            DescribeUserPoolDomain,
        ];
        match self {
            Role::DriftCheck => &READ,
            Role::Provisioner => &[
                ListUserPools,
                DescribeUserPool,
                GetUserPoolMfaConfig,
                ListUserPoolClients,
                DescribeUserPoolClient,
                ListUserPoolClientSecrets,
                DescribeUserPoolDomain,
                CreateUserPool,
                UpdateUserPool,
                SetUserPoolMfaConfig,
                CreateUserPoolClient,
                UpdateUserPoolClient,
                CreateEmailServiceLinkedRole,
                PassSmsRole,
            ],
            Role::Admin => &[
                ListUserPools,
                DescribeUserPool,
                AdminCreateUser,
                AdminGetUser,
                AdminDisableUser,
                AdminUserGlobalSignOut,
                AdminEnableUser,
                AdminDeleteSoftwareToken,
                ListUsers,
            ],
            // The sign-in attempt that proves a secret (InitiateAuth) is not here: Cognito evaluates no IAM
            // policy for it.
            Role::Rotator => &[
                ListUserPools,
                DescribeUserPool,
                ListUserPoolClients,
                ListUserPoolClientSecrets,
                AddUserPoolClientSecret,
                DeleteUserPoolClientSecret,
            ],
            Role::Export => &[
                ListUserPools,
                DescribeUserPool,
                GetUserPoolMfaConfig,
                DescribeUserPoolDomain,
                ListUsers,
                ListGroups,
                ListUsersInGroup,
            ],
            Role::Import => &[
                ListUserPools,
                DescribeUserPool,
                GetUserPoolMfaConfig,
                DescribeUserPoolDomain,
                ListUsers,
                ListGroups,
                ListUsersInGroup,
                CreateGroup,
                AdminCreateUser,
                AdminGetUser,
                AdminDisableUser,
                AdminAddUserToGroup,
            ],
        }
    }

    /// The IAM policy document of the role. `pools` is the resource of every call that names a pool:
    /// `arn:PARTITION:cognito-idp:REGION:ACCOUNT:userpool/*` by default, or one pool's ARN.
    pub fn policy(self, pools: &PoolResource) -> Value {
        let actions = self.actions();
        let names = |scope: Scope| -> Vec<&str> {
            actions
                .iter()
                .filter(|action| action.scope() == scope)
                .map(|action| action.name())
                .collect()
        };
        let mut statements = Vec::new();
        let any = names(Scope::Any);
        if !any.is_empty() {
            statements.push(json!({
                "Sid": "CallsThatNameNoPool",
                "Effect": "Allow",
                "Action": any,
                "Resource": "*",
            }));
        }
        statements.push(json!({
            "Sid": "UserPools",
            "Effect": "Allow",
            "Action": names(Scope::UserPool),
            "Resource": pools.to_string(),
        }));
        if !names(Scope::EmailServiceLinkedRole).is_empty() {
            statements.push(json!({
                "Sid": "CognitoEmailServiceLinkedRole",
                "Effect": "Allow",
                "Action": Action::CreateEmailServiceLinkedRole.name(),
                "Resource": format!(
                    "arn:{}:iam::{}:role/aws-service-role/{EMAIL_SERVICE}/*",
                    pools.partition, pools.account
                ),
                "Condition": {"StringEquals": {"iam:AWSServiceName": EMAIL_SERVICE}},
            }));
        }
        if !names(Scope::RolePassedToCognito).is_empty() {
            statements.push(json!({
                "Sid": "PassTheLivePoolsSmsRoleToCognito",
                "Effect": "Allow",
                "Action": Action::PassSmsRole.name(),
                "Resource": format!("arn:{}:iam::{}:role/*", pools.partition, pools.account),
                "Condition": {"StringEquals": {"iam:PassedToService": COGNITO_SERVICE}},
            }));
        }
        json!({"Version": "2012-10-17", "Statement": statements})
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}`: expected one of provisioner, drift-check, admin, rotator, export, import")]
pub struct UnknownRole(pub String);

impl std::str::FromStr for Role {
    type Err = UnknownRole;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == value)
            .ok_or_else(|| UnknownRole(value.to_owned()))
    }
}

/// The user pools a policy grants: every pool of a region and account (`*` where not given), or one. Each part is
/// checked, and the partition of every ARN comes from the region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolResource {
    partition: Partition,
    region: String,
    account: String,
    pool_id: Option<PoolId>,
}

/// A part of a policy's resources that is not what it claims to be; nothing is printed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoolResourceError {
    /// Not a region code of any AWS partition.
    #[error("`{}` is not an AWS region code (lower case, e.g. eu-west-1, cn-north-1, us-gov-west-1)", Shown(.0))]
    NotARegion(String),
    /// Not 12 digits.
    #[error("`{}` is not an AWS account ID: an account ID is exactly 12 digits", Shown(.0))]
    NotAnAccountId(String),
    /// Not the ARN of one user pool.
    #[error(
        "`{}` is not the ARN of one user pool: {why}; expected arn:PARTITION:cognito-idp:REGION:ACCOUNT_ID:userpool/POOL_ID",
        Shown(.arn)
    )]
    NotAPoolArn {
        /// The ARN given.
        arn: String,
        /// What is wrong with it.
        why: String,
    },
}

impl PoolResource {
    /// Every pool of every account and region of the `aws` partition.
    pub fn any() -> Self {
        Self {
            partition: Partition::Aws,
            region: "*".into(),
            account: "*".into(),
            pool_id: None,
        }
    }

    /// Every pool of `region` and `account` (each `*` when `None`; without a region, the regions of the `aws`
    /// partition).
    pub fn all(region: Option<&str>, account: Option<&str>) -> Result<Self, PoolResourceError> {
        let mut pools = Self::any();
        if let Some(region) = region {
            pools.partition =
                Partition::of_region(region).ok_or_else(|| PoolResourceError::NotARegion(region.to_owned()))?;
            region.clone_into(&mut pools.region);
        }
        if let Some(account) = account {
            check_account(account)?;
            account.clone_into(&mut pools.account);
        }
        Ok(pools)
    }

    /// One pool, from its ARN: the partition its region belongs to, an account ID, and the ID of a pool of that
    /// region (letters and digits after the `_`, so no IAM wildcard can widen it).
    pub fn one(arn: &str) -> Result<Self, PoolResourceError> {
        let invalid = |why: String| PoolResourceError::NotAPoolArn {
            arn: arn.to_owned(),
            why,
        };
        let parts = arn.splitn(6, ':').collect::<Vec<_>>();
        let ["arn", partition, "cognito-idp", region, account, resource] = parts[..] else {
            return Err(invalid("it does not start arn:PARTITION:cognito-idp:".into()));
        };
        let expected = Partition::of_region(region)
            .ok_or_else(|| invalid(PoolResourceError::NotARegion(region.to_owned()).to_string()))?;
        if partition != expected.as_str() {
            return Err(invalid(format!("the ARNs of {} are arn:{expected}:…", Shown(region))));
        }
        check_account(account).map_err(|error| invalid(error.to_string()))?;
        let pool_id = resource
            .strip_prefix("userpool/")
            .and_then(PoolId::parse)
            .filter(|pool_id| pool_id.region() == region)
            .ok_or_else(|| {
                invalid(format!(
                    "`{}` is not userpool/ and the ID of a pool in {} ({region}_ then letters and digits)",
                    Shown(resource),
                    Shown(region)
                ))
            })?;
        Ok(Self {
            partition: expected,
            region: region.to_owned(),
            account: account.to_owned(),
            pool_id: Some(pool_id),
        })
    }
}

fn check_account(account: &str) -> Result<(), PoolResourceError> {
    let valid = account.len() == 12 && account.bytes().all(|byte| byte.is_ascii_digit());
    if valid {
        Ok(())
    } else {
        Err(PoolResourceError::NotAnAccountId(account.to_owned()))
    }
}

impl fmt::Display for PoolResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pool = self.pool_id.as_ref().map_or("*", PoolId::as_str);
        write!(
            f,
            "arn:{}:cognito-idp:{}:{}:userpool/{pool}",
            self.partition, self.region, self.account
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads(action: &Action) -> bool {
        let (_, call) = action.name().split_once(':').unwrap();
        ["List", "Describe", "Get"].iter().any(|read| call.starts_with(read))
    }

    #[test]
    fn drift_check_and_export_only_read_admin_only_touches_users_and_provisioner_can_check() {
        assert!(Role::DriftCheck.actions().iter().all(reads));
        assert!(Role::Export.actions().iter().all(reads));
        assert!(!Role::Export.actions().contains(&Action::DescribeUserPoolClient));
        assert!(
            Role::Admin
                .actions()
                .iter()
                .all(|action| reads(action) || action.name().starts_with("cognito-idp:Admin"))
        );
        assert!(
            Role::DriftCheck
                .actions()
                .iter()
                .all(|action| Role::Provisioner.actions().contains(action))
        );
    }

    #[test]
    fn the_rotator_only_touches_client_secrets_and_the_provisioner_never_does() {
        let secrets = [Action::AddUserPoolClientSecret, Action::DeleteUserPoolClientSecret];
        assert!(
            Role::Rotator
                .actions()
                .iter()
                .all(|action| reads(action) || secrets.contains(action))
        );
        assert!(!Role::Rotator.actions().contains(&Action::DescribeUserPoolClient));
        for role in [Role::Provisioner, Role::DriftCheck, Role::Admin] {
            assert!(role.actions().iter().all(|action| !secrets.contains(action)), "{role}");
        }
    }

    #[test]
    fn scopes_to_pools_wherever_the_call_names_one() {
        let policy = Role::Provisioner.policy(&PoolResource::all(Some("eu-west-1"), Some("123456789012")).unwrap());
        let statements = policy["Statement"].as_array().unwrap();
        assert_eq!(
            statements[0]["Action"],
            json!([
                "cognito-idp:ListUserPools",
                "cognito-idp:DescribeUserPoolDomain",
                "cognito-idp:CreateUserPool"
            ])
        );
        assert_eq!(statements[0]["Resource"], "*");
        assert_eq!(
            statements[1]["Resource"],
            "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/*"
        );
        assert_eq!(
            statements[2]["Condition"]["StringEquals"]["iam:AWSServiceName"],
            EMAIL_SERVICE
        );
        assert_eq!(statements[3]["Action"], "iam:PassRole");
        assert_eq!(statements[3]["Resource"], "arn:aws:iam::123456789012:role/*");
        assert_eq!(
            statements[3]["Condition"]["StringEquals"]["iam:PassedToService"],
            COGNITO_SERVICE
        );
        assert_eq!(policy["Version"], "2012-10-17");
        // No wildcard action anywhere.
        let text = policy.to_string();
        assert!(!text.contains(":*\"") && !text.contains("\"*:"), "{text}");
    }

    #[test]
    fn one_pool_from_its_arn_and_bad_arns_refused() {
        let arn = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123";
        let one = PoolResource::one(arn).unwrap();
        assert_eq!(one.to_string(), arn);
        let policy = Role::Admin.policy(&one);
        assert_eq!(policy["Statement"][1]["Resource"], arn);
        for bad in [
            "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/*",
            "arn:aws:cognito-idp:eu-west-1:1234:userpool/eu-west-1_x",
            "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/us-east-1_x",
            "arn:aws:s3:::bucket",
            "eu-west-1_AbCdEf123",
            "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_?????????",
            "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC/x",
            "arn:aws:cognito-idp:cn-north-1:123456789012:userpool/cn-north-1_AbC",
            "arn:aws-cn:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC",
            "arn:aws:cognito-idp:eu-west-l:123456789012:userpool/eu-west-l_AbC",
        ] {
            assert!(PoolResource::one(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn roles_parse_by_name() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("Admin".parse::<Role>().unwrap_err().to_string().contains("drift-check"));
    }
}
