//! Sentence embeddings with candle-transformers' BERT, loaded from a Hugging Face-style folder.
//!
//! The folder holds `config.json`, `tokenizer.json` and `model.safetensors`, and optionally the
//! sentence-transformers files: the pooling module's `config.json` (mean, CLS or max pooling),
//! `sentence_bert_config.json` (`max_seq_length`) and `config_sentence_transformers.json`
//! (query and passage prompts). Vectors are L2-normalised.

use super::{EmbedError, Embedder, Precision, TextKind};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config, HiddenAct};
use serde_json::Value;
use std::path::{Path, PathBuf};
use tokenizers::{
    PaddingParams, PaddingStrategy, Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy,
};

/// How token vectors become one sentence vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pooling {
    Mean,
    Cls,
    Max,
}

/// Settings read from the sentence-transformers files of a model folder; they can be overridden.
#[derive(Debug, Clone, PartialEq)]
pub struct BertOptions {
    pub pooling: Pooling,
    /// Tokens per text, special tokens included; longer texts are truncated.
    pub max_seq_length: Option<usize>,
    pub query_prefix: String,
    pub passage_prefix: String,
    /// Texts per forward pass (the candle engine); the fused engine packs up to
    /// `token_budget` tokens per pass instead.
    pub batch_size: usize,
    pub engine: BertEngine,
    /// The arithmetic of the fused engine's matrix products.
    pub precision: Precision,
}

/// Which forward pass runs the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BertEngine {
    /// [`super::fused::FusedBert`]: packed sequences, fused kernels (the default).
    Fused,
    /// candle-transformers' `BertModel` with padded batches: the reference implementation.
    Candle,
}

impl BertEngine {
    /// The default, or `RECLAB_BERT_ENGINE=candle`.
    pub fn from_env() -> Self {
        match std::env::var("RECLAB_BERT_ENGINE").as_deref() {
            Ok("candle") => BertEngine::Candle,
            _ => BertEngine::Fused,
        }
    }
}

/// Tokens per forward pass of the fused engine.
const TOKEN_BUDGET: usize = 2048;

impl Default for BertOptions {
    fn default() -> Self {
        Self {
            pooling: Pooling::Mean,
            max_seq_length: None,
            query_prefix: String::new(),
            passage_prefix: String::new(),
            batch_size: 32,
            engine: BertEngine::from_env(),
            precision: Precision::F32,
        }
    }
}

fn read_json(path: &Path) -> Result<Option<Value>, EmbedError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| EmbedError::BadConfig { file: path.to_path_buf(), message: format!("not valid JSON: {e}") }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(EmbedError::io(path, e)),
    }
}

impl BertOptions {
    /// Reads pooling, max_seq_length and prompts from the folder's sentence-transformers files.
    pub fn from_folder(dir: &Path) -> Result<Self, EmbedError> {
        let mut opts = BertOptions::default();
        // modules.json says where the pooling module lives (usually 1_Pooling).
        let mut pooling_dir = PathBuf::from("1_Pooling");
        if let Some(Value::Array(modules)) = read_json(&dir.join("modules.json"))?
            && let Some(p) = modules.iter().find_map(|m| {
                let ty = m.get("type")?.as_str()?;
                ty.ends_with("Pooling").then(|| m.get("path")?.as_str().map(PathBuf::from))?
            })
        {
            pooling_dir = p;
        }
        let pooling_file = dir.join(&pooling_dir).join("config.json");
        if let Some(cfg) = read_json(&pooling_file)? {
            let on = |k: &str| cfg.get(k).and_then(Value::as_bool).unwrap_or(false);
            opts.pooling = if on("pooling_mode_cls_token") {
                Pooling::Cls
            } else if on("pooling_mode_mean_tokens") {
                Pooling::Mean
            } else if on("pooling_mode_max_tokens") {
                Pooling::Max
            } else {
                let modes: Vec<&str> = cfg
                    .as_object()
                    .map(|o| {
                        o.iter()
                            .filter(|(k, v)| k.starts_with("pooling_mode") && v.as_bool() == Some(true))
                            .map(|(k, _)| k.as_str())
                            .collect()
                    })
                    .unwrap_or_default();
                return Err(EmbedError::BadConfig {
                    file: pooling_file,
                    message: format!(
                        "unsupported pooling {}; reclab supports pooling_mode_mean_tokens, pooling_mode_cls_token and pooling_mode_max_tokens",
                        if modes.is_empty() { "(none enabled)".to_string() } else { modes.join(", ") }
                    ),
                });
            };
        }
        if let Some(cfg) = read_json(&dir.join("sentence_bert_config.json"))? {
            opts.max_seq_length = cfg.get("max_seq_length").and_then(Value::as_u64).map(|n| n as usize);
        }
        if let Some(cfg) = read_json(&dir.join("config_sentence_transformers.json"))?
            && let Some(prompts) = cfg.get("prompts").and_then(Value::as_object)
        {
            let get = |k: &str| prompts.get(k).and_then(Value::as_str).map(str::to_string);
            if let Some(q) = get("query") {
                opts.query_prefix = q;
            }
            if let Some(p) = get("passage").or_else(|| get("document")).or_else(|| get("corpus")) {
                opts.passage_prefix = p;
            }
        }
        Ok(opts)
    }
}

/// A BERT-family sentence encoder running on the CPU with candle.
/// The loaded network, in the engine chosen.
enum Network {
    Fused(Box<super::fused::FusedBert>),
    Candle(Box<BertModel>),
}

pub struct BertEmbedder {
    network: Network,
    tokenizer: Tokenizer,
    /// Characters of a text given to the tokenizer, at most.
    char_budget: usize,
    options: BertOptions,
    dim: usize,
    key: String,
    name: String,
    device: Device,
}

/// Characters kept of a text for each token the model reads: a word piece rarely spans more
/// than a few, so the cut only drops what truncation would drop anyway.
pub const CHARS_PER_TOKEN: usize = 32;

/// The files a model folder must have.
pub const REQUIRED_FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];

impl BertEmbedder {
    /// Loads the model in `dir`. The cache key is `<folder name>@<first 12 hex of the weights' sha256>`
    /// (and the precision, see [`super::model_key`]).
    pub fn load(dir: &Path, options: &BertOptions) -> Result<Self, EmbedError> {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "model".into());
        let sha = crate::util::sha256_file(&dir.join("model.safetensors"))
            .map_err(|e| EmbedError::io(dir.join("model.safetensors"), e))?;
        Self::load_named(dir, options, &name, &sha)
    }

    /// Loads the model in `dir` under `name`, with the weights' known sha256 (not re-hashed).
    pub fn load_named(dir: &Path, options: &BertOptions, name: &str, weights_sha256: &str) -> Result<Self, EmbedError> {
        for f in REQUIRED_FILES {
            if !dir.join(f).is_file() {
                return Err(EmbedError::MissingFile { dir: dir.to_path_buf(), file: f.to_string() });
            }
        }
        let config_path = dir.join("config.json");
        let config = load_config(&config_path)?;
        let device = Device::Cpu;

        let tok_path = dir.join("tokenizer.json");
        let mut tokenizer = Tokenizer::from_file(&tok_path)
            .map_err(|e| EmbedError::Tokenizer { file: tok_path.clone(), message: e.to_string() })?;
        let max_len = match options.max_seq_length {
            None => config.max_position_embeddings,
            Some(0) => {
                return Err(EmbedError::BadConfig {
                    file: dir.join("sentence_bert_config.json"),
                    message: format!(
                        "max_seq_length 0 leaves no room for a token; use 1 to {} (the model's max_position_embeddings)",
                        config.max_position_embeddings
                    ),
                });
            }
            Some(n) if n > config.max_position_embeddings => {
                return Err(EmbedError::BadConfig {
                    file: dir.join("sentence_bert_config.json"),
                    message: format!(
                        "max_seq_length {n} is more than the {} positions the model has (config.json \
                         max_position_embeddings); use at most {}",
                        config.max_position_embeddings, config.max_position_embeddings
                    ),
                });
            }
            Some(n) => n,
        };
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: max_len,
                strategy: TruncationStrategy::LongestFirst,
                stride: 0,
                direction: TruncationDirection::Right,
            }))
            .map_err(|e| EmbedError::Tokenizer { file: tok_path.clone(), message: e.to_string() })?;
        let tokens = tokenizer.get_vocab_size(true);
        if tokens > config.vocab_size {
            return Err(EmbedError::BadConfig {
                file: tok_path.clone(),
                message: format!(
                    "the tokenizer has {tokens} tokens but the model's vocabulary (config.json vocab_size) has {}",
                    config.vocab_size
                ),
            });
        }
        let pad_id = config.pad_token_id as u32;
        let pad_token = tokenizer.id_to_token(pad_id).unwrap_or_else(|| "[PAD]".to_string());
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            pad_id,
            pad_token,
            ..Default::default()
        }));

        let weights_path = dir.join("model.safetensors");
        let network = match options.engine {
            BertEngine::Fused => {
                let shape = super::fused::Shape {
                    hidden: config.hidden_size,
                    heads: config.num_attention_heads,
                    layers: config.num_hidden_layers,
                    intermediate: config.intermediate_size,
                    eps: config.layer_norm_eps,
                    max_positions: config.max_position_embeddings,
                    vocab: config.vocab_size,
                    activation: match config.hidden_act {
                        HiddenAct::Gelu => super::fused::Activation::Gelu,
                        HiddenAct::GeluApproximate => super::fused::Activation::GeluTanh,
                        HiddenAct::Relu => super::fused::Activation::Relu,
                    },
                };
                Network::Fused(Box::new(super::fused::FusedBert::load(&weights_path, &shape, options.precision)?))
            }
            BertEngine::Candle if options.precision != Precision::F32 => {
                return Err(EmbedError::PrecisionNeedsFused(options.precision.as_str()));
            }
            BertEngine::Candle => {
                let bytes = std::fs::read(&weights_path).map_err(|e| EmbedError::io(&weights_path, e))?;
                let vb = VarBuilder::from_buffered_safetensors(bytes, DType::F32, &device)
                    .map_err(|e| EmbedError::Weights { file: weights_path.clone(), message: e.to_string() })?;
                let model = BertModel::load(vb, &config).map_err(|e| EmbedError::Weights {
                    file: weights_path.clone(),
                    message: format!("{e} (is this a BERT model with hidden size {}?)", config.hidden_size),
                })?;
                Network::Candle(Box::new(model))
            }
        };
        Ok(Self {
            network,
            tokenizer,
            char_budget: max_len.saturating_mul(CHARS_PER_TOKEN),
            options: options.clone(),
            dim: config.hidden_size,
            key: super::model_key(name, weights_sha256, options.precision),
            name: name.to_string(),
            device,
        })
    }

    pub fn options(&self) -> &BertOptions {
        &self.options
    }

    /// Token ids of a text as the model sees it (prefix, truncation and special tokens included).
    pub fn token_ids(&self, text: &str, kind: TextKind) -> Result<Vec<u32>, EmbedError> {
        let text = self.with_prefix(text, kind);
        let enc = self.tokenizer.encode(text, true).map_err(|e| EmbedError::Tokenize(e.to_string()))?;
        Ok(enc.get_ids().to_vec())
    }

    /// The text as the tokenizer gets it: its prompt prefix, and no more of it than
    /// [`CHARS_PER_TOKEN`] characters for each token the model reads (a 50 MB description is
    /// not tokenised whole only to be truncated).
    fn with_prefix(&self, text: &str, kind: TextKind) -> String {
        let prefix = match kind {
            TextKind::Query => &self.options.query_prefix,
            TextKind::Passage => &self.options.passage_prefix,
        };
        let text = match text.char_indices().nth(self.char_budget) {
            Some((cut, _)) => &text[..cut],
            None => text,
        };
        format!("{prefix}{text}")
    }

    fn embed_batch(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let inference = |e: candle_core::Error| EmbedError::Inference(e.to_string());
        let encodings =
            self.tokenizer.encode_batch(texts.to_vec(), true).map_err(|e| EmbedError::Tokenize(e.to_string()))?;
        let model = match &self.network {
            Network::Candle(m) => m,
            Network::Fused(f) => {
                let seqs = real_tokens(&encodings);
                return f.embed(&seqs, self.options.pooling, candle_core::utils::get_num_threads());
            }
        };
        let batch = encodings.len();
        let len = encodings.iter().map(|e| e.get_ids().len()).max().unwrap_or(0);
        let mut ids = Vec::with_capacity(batch * len);
        let mut mask = Vec::with_capacity(batch * len);
        for enc in &encodings {
            ids.extend_from_slice(enc.get_ids());
            mask.extend_from_slice(enc.get_attention_mask());
        }
        let ids = Tensor::from_vec(ids, (batch, len), &self.device).map_err(inference)?;
        let mask = Tensor::from_vec(mask, (batch, len), &self.device).map_err(inference)?;
        let type_ids = ids.zeros_like().map_err(inference)?;
        let hidden = model.forward(&ids, &type_ids, Some(&mask)).map_err(inference)?;
        let pooled = pool(&hidden, &mask, self.options.pooling).map_err(inference)?;
        let mut rows: Vec<Vec<f32>> = pooled.to_vec2().map_err(inference)?;
        rows.iter_mut().for_each(|v| super::normalize(v));
        Ok(rows)
    }
}

/// Pools `hidden` (batch, tokens, dim) into (batch, dim), ignoring padded positions.
pub(crate) fn pool(hidden: &Tensor, mask: &Tensor, pooling: Pooling) -> candle_core::Result<Tensor> {
    match pooling {
        Pooling::Cls => hidden.narrow(1, 0, 1)?.squeeze(1),
        Pooling::Mean => {
            let m = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
            let summed = hidden.broadcast_mul(&m)?.sum(1)?;
            let counts = m.sum(1)?.clamp(1e-9f32, f32::MAX)?;
            summed.broadcast_div(&counts)
        }
        Pooling::Max => {
            // Padded positions get a very negative value so they never win.
            let m = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
            let penalty = ((m.ones_like()? - &m)? * -1e9f64)?;
            hidden.broadcast_add(&penalty)?.max(1)
        }
    }
}

fn load_config(path: &Path) -> Result<Config, EmbedError> {
    let bad = |message: String| EmbedError::BadConfig { file: path.to_path_buf(), message };
    let value = read_json(path)?.ok_or_else(|| bad("missing".into()))?;
    let model_type = value.get("model_type").and_then(Value::as_str).unwrap_or("bert");
    if model_type != "bert" {
        return Err(bad(format!(
            "model_type '{model_type}' is not supported: reclab runs BERT-family encoders (model_type \"bert\"), such as all-MiniLM-L6-v2 and multilingual-e5-small"
        )));
    }
    if let Some(act) = value.get("hidden_act").and_then(Value::as_str)
        && !matches!(act, "gelu" | "gelu_approximate" | "relu")
    {
        return Err(bad(format!("hidden_act '{act}' is not supported (gelu, gelu_approximate, relu)")));
    }
    let config: Config = serde_json::from_value(value).map_err(|e| bad(format!("not a BERT configuration: {e}")))?;
    if config.hidden_size == 0
        || config.num_attention_heads == 0
        || !config.hidden_size.is_multiple_of(config.num_attention_heads)
    {
        return Err(bad(format!(
            "hidden_size {} is not a multiple of num_attention_heads {}",
            config.hidden_size, config.num_attention_heads
        )));
    }
    Ok(config)
}

/// Each encoding's token ids without its padding (the tokenizer pads on the right).
fn real_tokens(encodings: &[tokenizers::Encoding]) -> Vec<Vec<u32>> {
    encodings
        .iter()
        .map(|e| {
            let n = e.get_attention_mask().iter().filter(|&&m| m != 0).count();
            e.get_ids()[..n].to_vec()
        })
        .collect()
}

impl Embedder for BertEmbedder {
    fn key(&self) -> &str {
        &self.key
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn is_neural(&self) -> bool {
        true
    }

    fn embed(&self, texts: &[&str], kind: TextKind) -> Result<Vec<Vec<f32>>, EmbedError> {
        let prefixed: Vec<String> = texts.iter().map(|t| self.with_prefix(t, kind)).collect();
        let mut out = vec![Vec::new(); texts.len()];
        match &self.network {
            Network::Candle(_) => {
                // Similar lengths share a batch so little compute goes to padding.
                let mut order: Vec<usize> = (0..texts.len()).collect();
                order.sort_by_key(|&i| (prefixed[i].len(), i));
                for chunk in order.chunks(self.options.batch_size.max(1)) {
                    let batch: Vec<String> = chunk.iter().map(|&i| prefixed[i].clone()).collect();
                    let vectors = self.embed_batch(&batch)?;
                    for (&i, v) in chunk.iter().zip(vectors) {
                        out[i] = v;
                    }
                }
            }
            Network::Fused(f) => {
                // No padding here: tokenise everything, then cut batches by token count.
                let encodings =
                    self.tokenizer.encode_batch(prefixed, true).map_err(|e| EmbedError::Tokenize(e.to_string()))?;
                let seqs = real_tokens(&encodings);
                let mut order: Vec<usize> = (0..seqs.len()).collect();
                order.sort_by_key(|&i| (seqs[i].len(), i));
                let threads = candle_core::utils::get_num_threads();
                let mut start = 0;
                while start < order.len() {
                    let mut end = start;
                    let mut tokens = 0;
                    while end < order.len() && (end == start || tokens + seqs[order[end]].len() <= TOKEN_BUDGET) {
                        tokens += seqs[order[end]].len();
                        end += 1;
                    }
                    let batch: Vec<Vec<u32>> = order[start..end].iter().map(|&i| seqs[i].clone()).collect();
                    let vectors = f.embed(&batch, self.options.pooling, threads)?;
                    for (&i, v) in order[start..end].iter().zip(vectors) {
                        out[i] = v;
                    }
                    start = end;
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::toy::{ToySpec, ToyTokenizer, write_toy_model};

    fn toy(spec: ToySpec) -> (tempfile::TempDir, BertEmbedder) {
        let dir = tempfile::tempdir().unwrap();
        write_toy_model(dir.path(), &spec).unwrap();
        let opts = BertOptions::from_folder(dir.path()).unwrap();
        let e = BertEmbedder::load(dir.path(), &opts).unwrap();
        (dir, e)
    }

    fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
    }

    #[test]
    fn pooling_ignores_padding_and_vectors_have_unit_norm() {
        for pooling in [Pooling::Mean, Pooling::Cls, Pooling::Max] {
            let (_d, e) = toy(ToySpec { pooling: Some(pooling), ..Default::default() });
            let alone = e.embed_batch(&["serena".into()]).unwrap();
            let padded = e.embed_batch(&["serena".into(), "serena exo sister long ash beige hair".into()]).unwrap();
            assert_eq!(padded.len(), 2);
            assert!(max_abs_diff(&alone[0], &padded[0]) < 1e-5, "{pooling:?}: padding changed the vector");
            assert!(max_abs_diff(&padded[0], &padded[1]) > 1e-3, "{pooling:?}: different texts, different vectors");
            for v in padded.iter().chain(&alone) {
                let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                assert!((norm - 1.0).abs() < 1e-5, "{pooling:?}: norm {norm}");
            }
        }
    }

    #[test]
    fn the_fused_engine_agrees_with_candle_transformers() {
        for (tokenizer, pooling) in [
            (ToyTokenizer::WordPiece, Pooling::Mean),
            (ToyTokenizer::Unigram, Pooling::Cls),
            (ToyTokenizer::WordPiece, Pooling::Max),
        ] {
            let dir = tempfile::tempdir().unwrap();
            write_toy_model(
                dir.path(),
                &ToySpec { tokenizer, pooling: Some(pooling), hidden: 16, ..Default::default() },
            )
            .unwrap();
            let mut opts = BertOptions::from_folder(dir.path()).unwrap();
            opts.engine = BertEngine::Fused;
            let fused = BertEmbedder::load(dir.path(), &opts).unwrap();
            opts.engine = BertEngine::Candle;
            let candle = BertEmbedder::load(dir.path(), &opts).unwrap();
            let texts = [
                "serena",
                "serena exo sister long ash beige hair",
                "",
                "세레나 딸기",
                "organic strawberries strawberry jacket denim",
            ];
            let a = fused.embed(&texts, TextKind::Passage).unwrap();
            let b = candle.embed(&texts, TextKind::Passage).unwrap();
            for (t, (x, y)) in texts.iter().zip(a.iter().zip(&b)) {
                assert!(max_abs_diff(x, y) < 1e-5, "{tokenizer:?}/{pooling:?} {t:?}: {x:?} vs {y:?}");
            }
        }
    }

    #[test]
    fn embed_keeps_input_order_across_length_sorted_batches() {
        let (_d, mut e) = toy(ToySpec::default());
        e.options.batch_size = 2;
        let texts = ["serena exo sister long hair", "peony", "organic strawberries", "ash"];
        let all = e.embed(&texts, TextKind::Passage).unwrap();
        for (t, v) in texts.iter().zip(&all) {
            let one = e.embed(&[t], TextKind::Passage).unwrap();
            assert!(max_abs_diff(&one[0], v) < 1e-5, "{t}");
        }
    }

    #[test]
    fn unigram_tokenizer_and_prompts() {
        let spec = ToySpec {
            tokenizer: ToyTokenizer::Unigram,
            prompts: Some(("query: ".into(), "passage: ".into())),
            ..Default::default()
        };
        let (_d, e) = toy(spec);
        assert_eq!(e.options().query_prefix, "query: ");
        let ids = e.token_ids("세레나 딸기", TextKind::Query).unwrap();
        let vocab = |t: &str| e.tokenizer.token_to_id(t).unwrap();
        assert_eq!(ids.first(), Some(&vocab("<s>")));
        assert_eq!(ids.last(), Some(&vocab("</s>")));
        assert!(ids.contains(&vocab("▁query")), "the query prefix is tokenized: {ids:?}");
        assert!(ids.contains(&vocab("▁세레나")) && ids.contains(&vocab("▁딸기")), "{ids:?}");
        let q = e.embed(&["세레나"], TextKind::Query).unwrap();
        let p = e.embed(&["세레나"], TextKind::Passage).unwrap();
        assert!(max_abs_diff(&q[0], &p[0]) > 1e-3, "query and passage prefixes give different vectors");
    }

    #[test]
    fn truncates_at_max_seq_length() {
        let (_d, e) = toy(ToySpec { max_seq_length: Some(8), ..Default::default() });
        let long = "serena ".repeat(50);
        assert_eq!(e.token_ids(&long, TextKind::Passage).unwrap().len(), 8);
        let v = e.embed(&[&long], TextKind::Passage).unwrap();
        assert_eq!(v[0].len(), 8);
    }

    #[test]
    fn a_huge_text_is_cut_to_a_character_budget_before_it_is_tokenised() {
        let (_d, e) = toy(ToySpec { max_seq_length: Some(8), ..Default::default() });
        assert_eq!(e.char_budget, 8 * CHARS_PER_TOKEN);
        let huge = "serena 세레나 ".repeat(1_000_000);
        assert!(e.with_prefix(&huge, TextKind::Passage).chars().count() <= 8 * CHARS_PER_TOKEN);
        let cut: String = huge.chars().take(8 * CHARS_PER_TOKEN).collect();
        assert_eq!(e.token_ids(&huge, TextKind::Passage).unwrap(), e.token_ids(&cut, TextKind::Passage).unwrap());
        let v = e.embed(&[&huge], TextKind::Passage).unwrap();
        assert_eq!(v, e.embed(&[&cut], TextKind::Passage).unwrap());
    }

    #[test]
    fn sequence_lengths_the_model_cannot_read_are_refused_at_load() {
        for (n, expect) in
            [(0, "max_seq_length 0 leaves no room"), (65, "max_seq_length 65 is more than the 64 positions")]
        {
            let dir = tempfile::tempdir().unwrap();
            write_toy_model(dir.path(), &ToySpec { max_seq_length: Some(n), ..Default::default() }).unwrap();
            let opts = BertOptions::from_folder(dir.path()).unwrap();
            for engine in [BertEngine::Fused, BertEngine::Candle] {
                let err =
                    BertEmbedder::load(dir.path(), &BertOptions { engine, ..opts.clone() }).err().unwrap().to_string();
                assert!(err.contains("sentence_bert_config.json") && err.contains(expect), "{err}");
            }
        }
        // A tokenizer with more tokens than the weights have rows.
        let dir = tempfile::tempdir().unwrap();
        write_toy_model(dir.path(), &ToySpec::default()).unwrap();
        let cfg = dir.path().join("config.json");
        let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&cfg).unwrap()).unwrap();
        v["vocab_size"] = serde_json::json!(5);
        std::fs::write(&cfg, v.to_string()).unwrap();
        let err = BertEmbedder::load(dir.path(), &BertOptions::default()).err().unwrap().to_string();
        assert!(err.contains("tokenizer.json") && err.contains("vocab_size) has 5"), "{err}");
    }

    #[test]
    fn the_fused_engine_refuses_ids_and_lengths_it_would_have_to_clamp() {
        let (_d, e) = toy(ToySpec::default());
        let Network::Fused(f) = &e.network else { panic!("the default engine is the fused one") };
        let err = f.embed(&[vec![1, 100_000]], Pooling::Mean, 1).unwrap_err().to_string();
        assert!(err.contains("token id 100000 is beyond the model's vocabulary"), "{err}");
        let err = f.embed(&[vec![1; 65]], Pooling::Mean, 1).unwrap_err().to_string();
        assert!(err.contains("65 tokens, more than the 64 positions"), "{err}");
        assert_eq!(f.embed(&[vec![1; 64]], Pooling::Mean, 1).unwrap().len(), 1);
    }

    #[test]
    fn folder_problems_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        write_toy_model(dir.path(), &ToySpec::default()).unwrap();
        std::fs::remove_file(dir.path().join("tokenizer.json")).unwrap();
        let err = BertEmbedder::load(dir.path(), &BertOptions::default()).err().unwrap().to_string();
        assert!(err.contains("has no tokenizer.json"), "{err}");

        let dir = tempfile::tempdir().unwrap();
        write_toy_model(dir.path(), &ToySpec::default()).unwrap();
        let cfg = dir.path().join("config.json");
        let text = std::fs::read_to_string(&cfg).unwrap().replace("\"bert\"", "\"t5\"");
        std::fs::write(&cfg, text).unwrap();
        let err = BertEmbedder::load(dir.path(), &BertOptions::default()).err().unwrap().to_string();
        assert!(err.contains("config.json") && err.contains("model_type 't5' is not supported"), "{err}");

        let dir = tempfile::tempdir().unwrap();
        write_toy_model(dir.path(), &ToySpec::default()).unwrap();
        std::fs::write(dir.path().join("1_Pooling/config.json"), r#"{"pooling_mode_weightedmean_tokens": true}"#)
            .unwrap();
        let err = BertOptions::from_folder(dir.path()).unwrap_err().to_string();
        assert!(err.contains("1_Pooling") && err.contains("pooling_mode_weightedmean_tokens"), "{err}");
    }
}
