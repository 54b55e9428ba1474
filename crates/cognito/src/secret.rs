/// A value that must never reach a log or default output, such as an app client secret.
/// `Debug` and `Display` print `***`; only [`Secret::expose`] gives the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for the one place that must write it (an `.env` file, `--show-secret`).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Secret(***)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn formatting_never_shows_the_value() {
        let secret = Secret::new("s3cr3t-value");
        assert_eq!(
            format!("{secret} {secret:?} {secret:#?}"),
            "*** Secret(***) Secret(***)"
        );
        assert_eq!(secret.expose(), "s3cr3t-value");
    }
}
