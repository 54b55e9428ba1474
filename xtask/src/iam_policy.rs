//! `cargo xtask iam-policy --role ROLE`: print the least-privilege IAM policy of a role, built from the
//! one table of the calls each command may make (`cognito::iam`).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use cognito::iam::{PoolResource, Role};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The role: provisioner (provision), drift-check (provision --check), admin (admin, audit), rotator
    /// (rotate-secret), export (users export) or import (users import).
    #[arg(long, value_name = "ROLE")]
    role: Role,
    /// Grant one pool only: arn:PARTITION:cognito-idp:REGION:ACCOUNT_ID:userpool/POOL_ID.
    #[arg(long, value_name = "ARN", conflicts_with_all = ["region", "account_id"])]
    pool_arn: Option<String>,
    /// The region of the pools granted, which also picks the partition of the ARNs (default: any region of
    /// the aws partition).
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// The AWS account of the pools granted: 12 digits (default: any).
    #[arg(long, value_name = "ACCOUNT_ID")]
    account_id: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let pools = match &args.pool_arn {
        Some(arn) => PoolResource::one(arn)?,
        None => PoolResource::all(args.region.as_deref(), args.account_id.as_deref())?,
    };
    let policy = serde_json::to_string_pretty(&args.role.policy(&pools)).context("rendering the policy")?;
    let mut stdout = crate::out::stdout();
    writeln!(stdout, "{policy}")?;
    Ok(ExitCode::SUCCESS)
}
