//! `bylaw schema`: export each policy's fact schema.

use std::path::PathBuf;
use std::process::ExitCode;

use bylaw::schema::json_schema;
use bylaw::Engine;

/// The formats a schema can be exported in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaFormat {
    /// JSON Schema, draft 2020-12.
    JsonSchema,
}

#[derive(clap::Args)]
pub struct Args {
    /// The folder of rule files (*.bylaw).
    #[arg(long, default_value_os_t = super::default_rules())]
    rules: PathBuf,
    /// The export format.
    #[arg(long, value_enum, default_value_t = SchemaFormat::JsonSchema)]
    format: SchemaFormat,
    /// The policy to export (printed on standard output); needed when there are several
    /// and no --out.
    #[arg(long)]
    policy: Option<String>,
    /// Write one file per policy into this folder: POLICY.schema.json.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Refuse fields the schema does not declare, as `evaluate --strict` does.
    #[arg(long)]
    strict: bool,
}

pub fn run(args: Args) -> ExitCode {
    let engine = match Engine::from_dir(&args.rules) {
        Ok(e) => e,
        Err(e) => return super::fail_load(&e),
    };
    let SchemaFormat::JsonSchema = args.format;
    let mut exports = Vec::new();
    for (policy, schema) in engine.schemas() {
        if args.policy.as_ref().is_some_and(|p| *p != policy.id.name) {
            continue;
        }
        let text =
            match serde_json::to_string_pretty(&json_schema::export(policy, schema, args.strict)) {
                Ok(t) => t + "\n",
                Err(e) => return super::fail(&e),
            };
        exports.push((policy.id.name.clone(), text));
    }
    let typed: Vec<String> = engine.schemas().map(|(p, _)| p.id.name.clone()).collect();
    if exports.is_empty() {
        return super::fail(&match &args.policy {
            Some(p) if engine.policies().any(|q| q.id.name == *p) => format!(
                "the policy `{p}` declares no typed facts (`facts {{ name: TYPE, … }}`), so it has no schema"
            ),
            Some(p) => {
                let all: Vec<&str> = engine.policies().map(|q| q.id.name.as_str()).collect();
                format!("no policy `{p}`; the policies are {}", all.join(", "))
            }
            None => "no policy declares typed facts (`facts { name: TYPE, … }`)".to_string(),
        });
    }
    let mut out = super::out::Out::new();
    match &args.out {
        Some(dir) => {
            if let Err(e) = std::fs::create_dir_all(dir) {
                return super::fail(&format!("cannot create `{}`: {e}", dir.display()));
            }
            for (name, text) in &exports {
                let path = dir.join(format!("{name}.schema.json"));
                if let Err(e) = std::fs::write(&path, text) {
                    return super::fail(&format!("cannot write `{}`: {e}", path.display()));
                }
                out.print(&format!("wrote {}\n", path.display()));
            }
        }
        None if exports.len() > 1 => {
            return super::fail(&format!(
                "several policies have a schema ({}): choose one with --policy, or write them all with --out DIR",
                typed.join(", ")
            ));
        }
        None => {
            for (_, text) in &exports {
                out.print(text);
            }
        }
    }
    out.finish(ExitCode::SUCCESS)
}
