//! Features that only some feature plans (`UserPoolTier`) offer, as a live pool can be found using them, and
//! what moving the pool to a plan without them takes.
//!
//! AWS refuses to move a pool to a plan while it uses a feature that plan lacks (Developer Guide, "User pool
//! feature plans": Lite has none of the Essentials features, threat protection needs Plus). Password history
//! and email MFA are settings of their own ([`crate::PasswordPolicy::password_history_size`],
//! [`crate::MfaSettings::email_enabled`]) and are compared as such; the features here are the others.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::settings::UserPoolTier;

/// A feature of a higher feature plan that a live pool uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanFeature {
    /// Sign-in with a first factor other than the password (`Policies.SignInPolicy.AllowedFirstAuthFactors`
    /// holding `EMAIL_OTP`, `SMS_OTP` or `WEB_AUTHN`): Essentials.
    PasswordlessSignIn,
    /// Access-token customisation: a pre token generation trigger of event version `V2_0` or `V3_0`
    /// (`LambdaConfig.PreTokenGenerationConfig.LambdaVersion`): Essentials.
    AccessTokenCustomisation,
    /// Managed login and its branding (the pool's domain at `ManagedLoginVersion` 2): Essentials.
    ManagedLogin,
    /// Dynamic client registration (`DcrConfiguration` enabled): Essentials.
    DynamicClientRegistration,
    /// Custom names for the authentication context class reference levels (`AcrConfiguration`): Essentials.
    CustomAcrNames,
    /// Threat protection (`UserPoolAddOns.AdvancedSecurityMode`, or the custom-auth mode, at `AUDIT` or
    /// `ENFORCED`): Plus.
    ThreatProtection,
}

/// How a feature the desired plan lacks is taken away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// UpdateUserPool turns it off: the plan shows it as a change.
    ByUpdate,
    /// Only the maintainer can: it is a setting this tool leaves alone (a Lambda trigger, the domain's
    /// login pages) or cannot send (a member newer than the SDK). The plan refuses and says how.
    ByHand(&'static str),
}

impl PlanFeature {
    /// Every feature, in the order plans show them.
    pub const ALL: [PlanFeature; 6] = [
        PlanFeature::PasswordlessSignIn,
        PlanFeature::AccessTokenCustomisation,
        PlanFeature::ManagedLogin,
        PlanFeature::DynamicClientRegistration,
        PlanFeature::CustomAcrNames,
        PlanFeature::ThreatProtection,
    ];

    /// The dotted field plans show it under.
    pub fn field(self) -> &'static str {
        match self {
            PlanFeature::PasswordlessSignIn => "pool.passwordless_sign_in",
            PlanFeature::AccessTokenCustomisation => "pool.access_token_customisation",
            PlanFeature::ManagedLogin => "pool.managed_login",
            PlanFeature::DynamicClientRegistration => "pool.dynamic_client_registration",
            PlanFeature::CustomAcrNames => "pool.custom_acr_names",
            PlanFeature::ThreatProtection => "pool.threat_protection",
        }
    }

    /// The lowest plan that offers it.
    pub fn lowest_tier(self) -> UserPoolTier {
        match self {
            PlanFeature::ThreatProtection => UserPoolTier::Plus,
            _ => UserPoolTier::Essentials,
        }
    }

    /// How it is turned off when the desired plan lacks it.
    pub fn removal(self) -> Removal {
        match self {
            PlanFeature::PasswordlessSignIn | PlanFeature::ThreatProtection => Removal::ByUpdate,
            PlanFeature::AccessTokenCustomisation => Removal::ByHand(
                "Set the pool's pre token generation trigger to event version V1_0 (basic features), or remove \
                 it, in the console (User pool → Extensions), then run again.",
            ),
            PlanFeature::ManagedLogin => Removal::ByHand(
                "Switch the pool's domain to the hosted UI (classic) in the console (User pool → Domain → \
                 Branding version), then run again.",
            ),
            PlanFeature::DynamicClientRegistration => Removal::ByHand(
                "Turn dynamic client registration off in the console (this tool's AWS SDK cannot send \
                 DcrConfiguration), then run again.",
            ),
            // Tokens name the level the user met in their `acr` claim: whoever reads those names decides.
            PlanFeature::CustomAcrNames => Removal::ByHand(
                "Remove the pool's custom ACR level names (AcrConfiguration) once nothing reads them from the \
                 tokens' acr claim, in the console, then run again.",
            ),
        }
    }
}

impl fmt::Display for PlanFeature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PlanFeature::PasswordlessSignIn => "passwordless sign-in",
            PlanFeature::AccessTokenCustomisation => "access-token customisation",
            PlanFeature::ManagedLogin => "managed login",
            PlanFeature::DynamicClientRegistration => "dynamic client registration",
            PlanFeature::CustomAcrNames => "custom ACR level names",
            PlanFeature::ThreatProtection => "threat protection",
        })
    }
}

impl UserPoolTier {
    /// Whether the plan offers `feature`. A plan this crate does not know offers nothing it can vouch for.
    pub fn offers(&self, feature: PlanFeature) -> bool {
        self.includes(&feature.lowest_tier())
    }

    /// Whether the plan has everything `lower` has (ESSENTIALS for password history and email MFA, the settings
    /// of higher plans that are not a [`PlanFeature`]).
    pub fn includes(&self, lower: &UserPoolTier) -> bool {
        self.rank() >= lower.rank()
    }

    /// Lite < Essentials < Plus; an unknown plan ranks lowest.
    fn rank(&self) -> u8 {
        match self {
            UserPoolTier::Unrecognised(_) => 0,
            UserPoolTier::Lite => 1,
            UserPoolTier::Essentials => 2,
            UserPoolTier::Plus => 3,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lite_offers_none_essentials_all_but_threat_protection_plus_all() {
        for feature in PlanFeature::ALL {
            assert!(!UserPoolTier::Lite.offers(feature), "{feature}");
            assert_eq!(
                UserPoolTier::Essentials.offers(feature),
                feature != PlanFeature::ThreatProtection,
                "{feature}"
            );
            assert!(UserPoolTier::Plus.offers(feature), "{feature}");
            assert!(!UserPoolTier::Unrecognised("GOLD".into()).offers(feature));
        }
    }

    #[test]
    fn what_the_update_cannot_turn_off_says_how() {
        for feature in PlanFeature::ALL {
            assert!(feature.field().starts_with("pool."));
            match feature.removal() {
                Removal::ByUpdate => assert!(matches!(
                    feature,
                    PlanFeature::PasswordlessSignIn | PlanFeature::ThreatProtection
                )),
                Removal::ByHand(how) => assert!(how.ends_with("then run again."), "{feature}: {how}"),
            }
        }
    }
}
