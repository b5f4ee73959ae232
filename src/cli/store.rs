//! The media store a command works with, from the flags.

use anyhow::Context;

use crate::config::Cli;
use crate::media::store::{S3Config, StoreConfig};

pub(super) fn store_config(cli: &Cli) -> anyhow::Result<StoreConfig> {
    let args = &cli.store;
    Ok(match args.media_store {
        crate::config::StoreKind::Local => StoreConfig::Local(
            args.media_dir
                .clone()
                .unwrap_or_else(|| cli.data_dir.join("media")),
        ),
        crate::config::StoreKind::S3 => StoreConfig::S3(S3Config {
            bucket: args
                .s3_bucket
                .clone()
                .context("--media-store s3 needs EDUFLOW_S3_BUCKET")?,
            region: args.s3_region.clone(),
            endpoint: args.s3_endpoint.clone(),
            path_style: args.s3_path_style,
            keys: None,
        }),
    })
}

/// Uploads are staged on the local store's own filesystem, so storing one is a rename.
pub(super) fn staging_dir(cli: &Cli, store: &StoreConfig) -> std::path::PathBuf {
    match store {
        StoreConfig::Local(root) => root.join(".staging"),
        StoreConfig::S3(_) => cli.data_dir.join("staging"),
    }
}

/// The store holding the media of `cluster`'s schools (see `StoreConfig::at`).
pub(super) fn cluster_store(
    cli: &Cli,
    cluster: &crate::db::clusters::ClusterRecord,
) -> anyhow::Result<crate::media::store::Store> {
    store_config(cli)?.at(cluster.media.as_ref()).open()
}
