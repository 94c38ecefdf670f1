//! Tiny BERT models with deterministic pseudo-random weights, written as real model folders.
//!
//! They exercise the whole loading path (config, WordPiece or Unigram tokenizer, safetensors,
//! pooling config, prompts) in milliseconds, for tests and for the model-download test server.
//! Their vectors mean nothing.

use super::{EmbedError, Pooling};
use candle_core::{DType, Device, Tensor};
use std::collections::HashMap;
use std::path::Path;

/// Which tokenizer the toy model gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToyTokenizer {
    /// BERT-style WordPiece (like all-MiniLM-L6-v2).
    WordPiece,
    /// SentencePiece-style Unigram with a metaspace pre-tokenizer (like multilingual-e5-small).
    Unigram,
}

/// What to write.
#[derive(Debug, Clone)]
pub struct ToySpec {
    pub tokenizer: ToyTokenizer,
    pub hidden: usize,
    pub pooling: Option<Pooling>,
    pub max_seq_length: Option<usize>,
    /// `(query, passage)` prompts for `config_sentence_transformers.json`.
    pub prompts: Option<(String, String)>,
    pub seed: u64,
}

impl Default for ToySpec {
    fn default() -> Self {
        Self {
            tokenizer: ToyTokenizer::WordPiece,
            hidden: 8,
            pooling: Some(Pooling::Mean),
            max_seq_length: None,
            prompts: None,
            seed: 7,
        }
    }
}

const WORDS: &[&str] = &[
    "serena",
    "exo",
    "sister",
    "ash",
    "beige",
    "long",
    "hair",
    "dark",
    "wave",
    "brown",
    "halo",
    "peony",
    "snowflake",
    "bundle",
    "organic",
    "strawberries",
    "strawberry",
    "jacket",
    "denim",
    "chicken",
    "wrap",
    "query",
    "passage",
    ":",
    "'",
    "s",
    "a",
    "the",
    "세레나",
    "딸기",
    "유기농",
    "엑소",
    "시스터",
];

const MAX_POSITIONS: usize = 64;
const LAYERS: usize = 1;
const HEADS: usize = 2;

/// Writes a toy model folder at `dir` (created if needed).
pub fn write_toy_model(dir: &Path, spec: &ToySpec) -> Result<(), EmbedError> {
    std::fs::create_dir_all(dir).map_err(|e| EmbedError::io(dir, e))?;
    let (vocab_size, pad_id) = match spec.tokenizer {
        ToyTokenizer::WordPiece => write_wordpiece(dir)?,
        ToyTokenizer::Unigram => write_unigram(dir)?,
    };
    let h = spec.hidden;
    let config = serde_json::json!({
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": vocab_size,
        "hidden_size": h,
        "num_hidden_layers": LAYERS,
        "num_attention_heads": HEADS,
        "intermediate_size": 2 * h,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": MAX_POSITIONS,
        "type_vocab_size": 2,
        "initializer_range": 0.02,
        "layer_norm_eps": 1e-12,
        "pad_token_id": pad_id,
    });
    write_json(&dir.join("config.json"), &config)?;
    if let Some(pooling) = spec.pooling {
        let cfg = serde_json::json!({
            "word_embedding_dimension": h,
            "pooling_mode_cls_token": pooling == Pooling::Cls,
            "pooling_mode_mean_tokens": pooling == Pooling::Mean,
            "pooling_mode_max_tokens": pooling == Pooling::Max,
            "pooling_mode_mean_sqrt_len_tokens": false,
        });
        std::fs::create_dir_all(dir.join("1_Pooling")).map_err(|e| EmbedError::io(dir, e))?;
        write_json(&dir.join("1_Pooling/config.json"), &cfg)?;
    }
    if let Some(n) = spec.max_seq_length {
        write_json(
            &dir.join("sentence_bert_config.json"),
            &serde_json::json!({"max_seq_length": n, "do_lower_case": false}),
        )?;
    }
    if let Some((q, p)) = &spec.prompts {
        write_json(
            &dir.join("config_sentence_transformers.json"),
            &serde_json::json!({"prompts": {"query": q, "passage": p}, "default_prompt_name": null}),
        )?;
    }
    write_weights(&dir.join("model.safetensors"), vocab_size, h, spec.seed)
}

fn write_json(path: &Path, value: &serde_json::Value) -> Result<(), EmbedError> {
    std::fs::write(path, serde_json::to_vec_pretty(value).unwrap_or_default()).map_err(|e| EmbedError::io(path, e))
}

fn tok_err(dir: &Path, e: impl std::fmt::Display) -> EmbedError {
    EmbedError::Tokenizer { file: dir.join("tokenizer.json"), message: e.to_string() }
}

fn write_wordpiece(dir: &Path) -> Result<(usize, usize), EmbedError> {
    use tokenizers::models::wordpiece::WordPiece;
    use tokenizers::normalizers::bert::BertNormalizer;
    use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
    use tokenizers::processors::template::TemplateProcessing;
    let mut vocab: Vec<String> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"].iter().map(|s| s.to_string()).collect();
    vocab.extend(WORDS.iter().map(|s| s.to_string()));
    vocab.extend(WORDS.iter().filter(|w| w.is_ascii() && w.len() > 2).map(|w| format!("##{w}")));
    let vocab_path = dir.join("vocab.txt");
    std::fs::write(&vocab_path, vocab.join("\n") + "\n").map_err(|e| EmbedError::io(&vocab_path, e))?;
    let vocab_file = vocab_path.to_string_lossy().into_owned();
    let model = WordPiece::from_file(&vocab_file).unk_token("[UNK]".into()).build().map_err(|e| tok_err(dir, e))?;
    let mut tok = tokenizers::Tokenizer::new(model);
    tok.with_normalizer(Some(BertNormalizer::default()));
    tok.with_pre_tokenizer(Some(BertPreTokenizer));
    let post = TemplateProcessing::builder()
        .try_single("[CLS] $A [SEP]")
        .map_err(|e| tok_err(dir, e))?
        .special_tokens(vec![("[CLS]", 2), ("[SEP]", 3)])
        .build()
        .map_err(|e| tok_err(dir, e))?;
    tok.with_post_processor(Some(post));
    tok.save(dir.join("tokenizer.json"), false).map_err(|e| tok_err(dir, e))?;
    Ok((vocab.len(), 0))
}

fn write_unigram(dir: &Path) -> Result<(usize, usize), EmbedError> {
    use tokenizers::models::unigram::Unigram;
    use tokenizers::pre_tokenizers::metaspace::{Metaspace, PrependScheme};
    use tokenizers::processors::template::TemplateProcessing;
    // XLM-R layout: <s>=0, <pad>=1, </s>=2, <unk>=3.
    let mut vocab: Vec<(String, f64)> =
        vec![("<s>".into(), 0.0), ("<pad>".into(), 0.0), ("</s>".into(), 0.0), ("<unk>".into(), 0.0)];
    vocab.push(("▁".into(), -3.0));
    for (i, w) in WORDS.iter().enumerate() {
        vocab.push((format!("▁{w}"), -4.0 - i as f64 * 0.01));
    }
    for c in "abcdefghijklmnopqrstuvwxyz".chars() {
        vocab.push((c.to_string(), -8.0));
    }
    let n = vocab.len();
    let model = Unigram::from(vocab, Some(3), false).map_err(|e| tok_err(dir, e))?;
    let mut tok = tokenizers::Tokenizer::new(model);
    tok.with_normalizer(Some(tokenizers::normalizers::utils::Lowercase));
    tok.with_pre_tokenizer(Some(Metaspace::new('▁', PrependScheme::Always, true)));
    let post = TemplateProcessing::builder()
        .try_single("<s> $A </s>")
        .map_err(|e| tok_err(dir, e))?
        .special_tokens(vec![("<s>", 0), ("</s>", 2)])
        .build()
        .map_err(|e| tok_err(dir, e))?;
    tok.with_post_processor(Some(post));
    tok.with_decoder(Some(Metaspace::new('▁', PrependScheme::Always, true)));
    tok.save(dir.join("tokenizer.json"), false).map_err(|e| tok_err(dir, e))?;
    Ok((n, 1))
}

/// A small deterministic generator (splitmix64) for the weights.
struct Rng(u64);

impl Rng {
    fn next_f32(&mut self) -> f32 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
}

fn write_weights(path: &Path, vocab: usize, h: usize, seed: u64) -> Result<(), EmbedError> {
    let err = |e: candle_core::Error| EmbedError::Weights { file: path.to_path_buf(), message: e.to_string() };
    let mut rng = Rng(seed);
    let mut tensors: HashMap<String, Tensor> = HashMap::new();
    let dev = Device::Cpu;
    let mut random = |name: String, shape: &[usize], scale: f32| -> Result<(), EmbedError> {
        let n: usize = shape.iter().product();
        let data: Vec<f32> = (0..n).map(|_| rng.next_f32() * scale).collect();
        tensors.insert(name, Tensor::from_vec(data, shape, &dev).map_err(err)?);
        Ok(())
    };
    random("embeddings.word_embeddings.weight".into(), &[vocab, h], 1.0)?;
    random("embeddings.position_embeddings.weight".into(), &[MAX_POSITIONS, h], 0.1)?;
    random("embeddings.token_type_embeddings.weight".into(), &[2, h], 0.1)?;
    let ln = |tensors: &mut HashMap<String, Tensor>, prefix: &str| -> Result<(), EmbedError> {
        tensors.insert(format!("{prefix}.weight"), Tensor::ones(h, DType::F32, &dev).map_err(err)?);
        tensors.insert(format!("{prefix}.bias"), Tensor::zeros(h, DType::F32, &dev).map_err(err)?);
        Ok(())
    };
    ln(&mut tensors, "embeddings.LayerNorm")?;
    for l in 0..LAYERS {
        let p = format!("encoder.layer.{l}");
        ln(&mut tensors, &format!("{p}.attention.output.LayerNorm"))?;
        ln(&mut tensors, &format!("{p}.output.LayerNorm"))?;
    }
    let mut rng = Rng(seed.wrapping_mul(31));
    for l in 0..LAYERS {
        let p = format!("encoder.layer.{l}");
        let dims = [
            ("attention.self.query", h, h),
            ("attention.self.key", h, h),
            ("attention.self.value", h, h),
            ("attention.output.dense", h, h),
            ("intermediate.dense", 2 * h, h),
            ("output.dense", h, 2 * h),
        ];
        for (name, out, inp) in dims {
            let w: Vec<f32> = (0..out * inp).map(|_| rng.next_f32() * 0.5).collect();
            let b: Vec<f32> = (0..out).map(|_| rng.next_f32() * 0.1).collect();
            tensors.insert(format!("{p}.{name}.weight"), Tensor::from_vec(w, (out, inp), &dev).map_err(err)?);
            tensors.insert(format!("{p}.{name}.bias"), Tensor::from_vec(b, out, &dev).map_err(err)?);
        }
    }
    candle_core::safetensors::save(&tensors, path).map_err(err)
}
