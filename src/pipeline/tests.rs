//! Pipeline tests on a small synthetic catalog with the lexical embedder (fast, no model).

use super::*;
use crate::catalog::Item;
use crate::embed::{LexicalEmbedder, ModelRef, ModelStore, Template, embed_catalog};
use crate::jobs::ProgressSink;
use crate::store::{Project, SimAction};

const NOW: i64 = crate::sample::SAMPLE_NOW;

fn item(id: u32, name: &str, category: &str, tags: &[&str]) -> Item {
    Item {
        id: id.to_string(),
        name: name.into(),
        category: Some(category.into()),
        tags: tags.iter().map(|s| s.to_string()).collect(),
        price: Some(100.0 + id as f64),
        released_at: Some(NOW - 30 * 86_400),
        ..Default::default()
    }
}

/// 60 items: 20 "serena" cosmetics in 2 categories, 20 rifles, 20 strawberries.
fn engine_with(extra: impl FnOnce(&mut Vec<Item>)) -> (Project, Engine) {
    let mut items = Vec::new();
    for i in 0..20 {
        let cat = if i % 2 == 0 { "Head skin" } else { "Makeup" };
        items.push(item(1000 + i, &format!("Serena style {i} hair makeup"), cat, &["serena"]));
        items.push(item(2000 + i, &format!("Assault rifle mark {i}"), "Weapon", &["rifle"]));
        items.push(item(3000 + i, &format!("Strawberry box {i} fresh"), "Fruit", &["fruit"]));
    }
    extra(&mut items);
    let mut p = Project::in_memory().unwrap();
    p.upsert_items(&items).unwrap();
    let e = LexicalEmbedder::new();
    embed_catalog(&mut p, &e, &Template::default_template(), 64, &ProgressSink::none()).unwrap();
    let log: Vec<crate::catalog::Interaction> = (0..5)
        .map(|u| crate::catalog::Interaction {
            user_id: format!("u{u}"),
            item_id: "1002".into(),
            event_type: "click".into(),
            ts: NOW - 1000 - u,
            value: None,
        })
        .chain((0..2).map(|u| crate::catalog::Interaction {
            user_id: format!("u{u}"),
            item_id: "1004".into(),
            event_type: "click".into(),
            ts: NOW - 500 - u,
            value: None,
        }))
        .collect();
    p.insert_interactions(&log).unwrap();
    let engine = Engine::open(
        &p,
        ModelRef::lexical(),
        ModelStore::at("/nonexistent"),
        EngineOptions::default(),
        &ProgressSink::none(),
    )
    .unwrap();
    (p, engine)
}

fn purchase(id: &str, ago: i64) -> SimAction {
    SimAction { event_type: "purchase".into(), item_id: Some(id.into()), query: None, ts: NOW - ago }
}

fn request(actions: Vec<SimAction>) -> Request {
    Request { actions, now: NOW, ..Request::default() }
}

#[test]
fn latest_action_finds_neighbours_and_removes_the_anchor() {
    let (_p, engine) = engine_with(|_| {});
    let rec = engine.recommend(&request(vec![purchase("1000", 300)])).unwrap();
    assert_eq!(rec.results.len(), 10);
    assert!(rec.results.iter().all(|r| r.item_id.starts_with('1')), "serena items first: {:?}", rec.results);
    assert!(rec.results.iter().all(|r| r.item_id != "1000"));
    let c = rec.candidates.iter().find(|c| c.item_id == "1000").unwrap();
    assert_eq!(c.removed_by.as_deref(), Some("anchor"));
    assert_eq!(rec.anchors[0].label, "Serena style 0 hair makeup (purchased 5 min ago)");
    assert!(rec.results[0].reason.starts_with("similar to Serena style 0 hair makeup (purchased 5 min ago)"));
}

#[test]
fn contributions_add_up_and_ranks_are_recorded() {
    let (_p, engine) = engine_with(|_| {});
    let mut req = request(vec![purchase("1000", 300)]);
    req.rules = RuleSet::example();
    let rec = engine.recommend(&req).unwrap();
    for r in &rec.results {
        let sum: f64 = r.similarity + r.contributions.iter().map(|c| c.value).sum::<f64>();
        assert!((sum - r.score).abs() < 1e-5, "{}: {sum} vs {}", r.item_id, r.score);
        assert_eq!(r.contributions.len(), 5, "one entry per enabled rule");
        assert_eq!(r.rank_change, r.rank_before as i64 - r.rank as i64);
    }
    // The popular item 1002 gets a popularity contribution, items without events none.
    let pop = |id: &str| rec.results.iter().find(|r| r.item_id == id).map(|r| r.contributions[2].value);
    if let Some(p) = pop("1002") {
        assert!(p > 0.0);
    }
    assert!(
        rec.results
            .iter()
            .filter(|r| r.item_id != "1002" && r.item_id != "1004")
            .all(|r| r.contributions[2].value == 0.0)
    );
}

#[test]
fn filters_record_what_they_removed_and_fill_up_when_they_remove_most() {
    let (_p, engine) = engine_with(|_| {});
    let mut req = request(vec![purchase("1000", 300)]);
    req.candidates = 20;
    req.k = 5;
    req.filter = r#"INCLUDE ItemID WHERE Items.CATEGORY IN ("Fruit")"#.into();
    let rec = engine.recommend(&req).unwrap();
    assert_eq!(rec.results.len(), 5, "still k results although the first candidates were not fruit");
    assert!(rec.results.iter().all(|r| r.category.as_deref() == Some("Fruit")));
    let expr = rec.filters.iter().find(|f| f.id == "expr1").unwrap();
    assert!(expr.removed > 0);
    assert_eq!(rec.candidates.iter().filter(|c| c.removed_by.as_deref() == Some("expr1")).count(), expr.removed);
    assert!(rec.candidates.iter().any(|c| c.source == "fill"));
    assert!(rec.notes.iter().any(|n| n.contains("more came from a search among items that pass every filter")));
    assert!(!rec.short);
    assert_eq!(expr.clauses.len(), 1);
}

#[test]
fn fewer_passing_items_than_k_is_said_not_hidden() {
    let (_p, engine) = engine_with(|_| {});
    let mut req = request(vec![purchase("1000", 300)]);
    req.filter = r#"Items.ID IN ("3001", "3002", "2005")"#.into();
    let rec = engine.recommend(&req).unwrap();
    assert_eq!(rec.results.len(), 3);
    assert!(rec.short);
    assert!(rec.notes.iter().any(|n| n.contains("only 3 item(s) pass the filters, fewer than k = 10")));
}

#[test]
fn mmr_spreads_categories_and_pins_take_their_slots() {
    let (_p, engine) = engine_with(|_| {});
    let base = request(vec![purchase("1000", 300)]);
    let plain = engine.recommend(&base).unwrap();
    let mut diverse = base.clone();
    diverse.rules = RuleSet { name: None, rules: vec![RuleEntry::new(Rule::Mmr { lambda: 0.3 })] };
    diverse.k = 5;
    let d = engine.recommend(&diverse).unwrap();
    let serena = |r: &Recommendation| r.results.iter().take(5).filter(|x| x.item_id.starts_with('1')).count();
    assert!(serena(&d) < serena(&plain), "MMR brings other kinds in: {} vs {}", serena(&d), serena(&plain));
    assert!(d.results.iter().skip(1).all(|r| r.contributions[0].value <= 0.0));

    let mut pinned = base.clone();
    pinned.rules = RuleSet {
        name: None,
        rules: vec![RuleEntry::new(Rule::Pin { filter: r#"Items.TAGS IN ("rifle")"#.into(), slots: vec![2, 4] })],
    };
    let p = engine.recommend(&pinned).unwrap();
    assert_eq!(p.results[1].category.as_deref(), Some("Weapon"));
    assert_eq!(p.results[3].category.as_deref(), Some("Weapon"));
    assert_eq!(p.results[1].pinned_by.as_deref(), Some("pin"));
    assert!(p.results[0].pinned_by.is_none());
}

#[test]
fn built_in_filters_use_the_user_history_and_now() {
    let (_p, engine) = engine_with(|items| {
        let mut soon = item(1100, "Serena style future hair makeup", "Head skin", &["serena"]);
        soon.released_at = Some(NOW + 86_400);
        items.push(soon);
    });
    let mut req = request(vec![
        SimAction { event_type: "add_to_cart".into(), item_id: Some("1002".into()), query: None, ts: NOW - 600 },
        purchase("1004", 500),
        purchase("1000", 300),
    ]);
    req.strategy.kind = StrategyKind::Latest;
    let rec = engine.recommend(&req).unwrap();
    let removed = |id: &str| rec.candidates.iter().find(|c| c.item_id == id).and_then(|c| c.removed_by.clone());
    assert_eq!(removed("1002").as_deref(), Some("in_cart"));
    assert_eq!(removed("1004").as_deref(), Some("owned"));
    assert_eq!(removed("1100").as_deref(), Some("not_released"));
    req.builtins.not_released = false;
    let rec = engine.recommend(&req).unwrap();
    assert!(rec.candidates.iter().find(|c| c.item_id == "1100").unwrap().removed_by.is_none());
}

#[test]
fn strategies_profile_and_multi_anchor() {
    let (_p, engine) = engine_with(|_| {});
    let actions = vec![purchase("2000", 7200), purchase("1000", 60)];
    let mut req = request(actions);
    req.strategy.kind = StrategyKind::MultiAnchor;
    let multi = engine.recommend(&req).unwrap();
    assert_eq!(multi.anchors.len(), 2);
    let kinds: std::collections::BTreeSet<char> =
        multi.results.iter().map(|r| r.item_id.chars().next().unwrap()).collect();
    assert!(kinds.contains(&'1') && kinds.contains(&'2'), "both anchors contribute: {kinds:?}");
    req.strategy.kind = StrategyKind::Profile;
    let profile = engine.recommend(&req).unwrap();
    assert_eq!(profile.anchors.iter().filter(|a| a.role == "component").count(), 2);
    let w: Vec<f64> = profile.anchors.iter().filter(|a| a.role == "component").map(|a| a.weight).collect();
    assert!(w[0] > w[1], "the recent purchase weighs more than the older one: {w:?}");
    assert!(profile.results[0].reason.contains("close to your recent activity"));
}

#[test]
fn same_request_same_json() {
    let (_p, engine) = engine_with(|_| {});
    let mut req = request(vec![purchase("1000", 300)]);
    req.rules = RuleSet::example();
    req.baseline = true;
    let a = serde_json::to_string(&engine.recommend(&req).unwrap()).unwrap();
    let b = serde_json::to_string(&engine.recommend(&req).unwrap()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn new_items_are_indexed_without_a_rebuild_and_only_the_content_path_finds_them() {
    let (mut p, mut engine) = engine_with(|_| {});
    let built = engine.index_report.clone();
    let fresh = item(1500, "Serena style 0 hair makeup winter edition", "Head skin", &["serena", "new"]);
    let report =
        engine.add_items(&mut p, &[crate::catalog::ItemUpdate::replace(fresh)], &ProgressSink::none()).unwrap();
    assert_eq!(report.added, vec!["1500"]);
    assert_eq!(report.embedded, 1);
    assert_eq!(engine.index_report, built, "the index was not rebuilt");
    assert!(engine.ann().unwrap().contains(engine.catalog.key_of("1500").unwrap()));
    let mut req = request(vec![purchase("1000", 300)]);
    req.baseline = true;
    req.actions
        .insert(0, SimAction { event_type: "click".into(), item_id: Some("1002".into()), query: None, ts: NOW - 400 });
    let rec = engine.recommend(&req).unwrap();
    let row = rec.results.iter().find(|r| r.item_id == "1500").expect("the new item is recommended");
    assert!(row.is_new);
    let base = rec.baseline.unwrap();
    assert!(base.results.iter().all(|r| r.item_id != "1500"), "co-occurrence cannot know it");
    assert!(!base.results.is_empty(), "1002 and 1004 co-occur in the log");
}

#[test]
fn filter_errors_carry_the_text_and_position() {
    let (_p, engine) = engine_with(|_| {});
    let mut req = request(vec![purchase("1000", 300)]);
    req.filter = r#"EXCLUDE ItemID WHERE Items.CATEGORY INN ("x")"#.into();
    let err = engine.recommend(&req).unwrap_err().to_string();
    assert!(err.starts_with("filter error at position 36"), "{err}");
    assert!(err.contains("\n  EXCLUDE ItemID"), "{err}");
}

#[test]
fn similar_items_and_search() {
    let (_p, engine) = engine_with(|_| {});
    let req = Request { similar_to: Some("3000".into()), now: NOW, ..Request::default() };
    let rec = engine.recommend(&req).unwrap();
    assert_eq!(rec.strategy, "similar_items");
    assert!(rec.results.iter().all(|r| r.item_id.starts_with('3') && r.item_id != "3000"));
    let req = Request { search: Some("assault rifle".into()), now: NOW, ..Request::default() };
    let rec = engine.recommend(&req).unwrap();
    assert!(rec.results[0].item_id.starts_with('2'));
    assert!(rec.results[0].reason.starts_with("matches your search “assault rifle”"));
    let err =
        engine.recommend(&Request { similar_to: Some("nope".into()), ..Request::default() }).unwrap_err().to_string();
    assert!(err.contains("no item with id 'nope'"), "{err}");
}

#[test]
fn a_k_beyond_the_catalog_asks_for_the_whole_catalog_with_mmr_in_linear_passes() {
    let (_p, engine) = engine_with(|_| {});
    let mut req = request(vec![purchase("1000", 300)]);
    req.rules.rules.push(RuleEntry::new(Rule::Mmr { lambda: 0.7 }));
    let whole = Request { k: 60, ..req.clone() };
    let a = engine.recommend(&whole).unwrap();
    for k in [61, 100_000_000, usize::MAX] {
        let b = engine.recommend(&Request { k, ..req.clone() }).unwrap();
        assert_eq!(b.k, 60);
        assert!(b.notes[0].contains("more than the catalog's 60 items"), "{:?}", b.notes);
        assert_eq!(serde_json::to_string(&b.results).unwrap(), serde_json::to_string(&a.results).unwrap());
    }
    // The incremental max-similarity is the recount: every MMR penalty is −(1−λ)/λ × the
    // highest similarity to an item ranked above it.
    let lambda = 0.7f32;
    let factor = (1.0 - lambda) / lambda;
    for (i, r) in a.results.iter().enumerate().take(40) {
        let key = engine.catalog.key_of(&r.item_id).unwrap();
        let above = a.results[..i].iter().map(|p| engine.catalog.key_of(&p.item_id).unwrap());
        let max_sim = above
            .map(|k| crate::index::dot(engine.vectors.get(key).unwrap(), engine.vectors.get(k).unwrap()))
            .fold(0.0f32, f32::max);
        let mmr = r.contributions.iter().find(|c| c.rule == "mmr").unwrap().value;
        assert_eq!(mmr, crate::util::round6(-factor * max_sim), "{}", r.item_id);
    }
}

/// The lexical embedder's key and size, but every call fails (a crash half-way, as far as
/// the project can tell).
struct Failing;

impl crate::embed::Embedder for Failing {
    fn key(&self) -> &str {
        ModelRef::lexical().key.leak()
    }
    fn name(&self) -> &str {
        "failing"
    }
    fn dim(&self) -> usize {
        ModelRef::lexical().dim
    }
    fn is_neural(&self) -> bool {
        false
    }
    fn embed(&self, _: &[&str], _: crate::embed::TextKind) -> Result<Vec<Vec<f32>>, crate::embed::EmbedError> {
        Err(crate::embed::EmbedError::Inference("killed".into()))
    }
}

#[test]
fn an_item_is_never_saved_without_its_vector() {
    let (mut p, mut engine) = engine_with(|_| {});
    engine.set_embedder(Box::new(Failing)).unwrap();
    let fresh = item(1600, "Brand new thing nobody embedded", "Head skin", &["new"]);
    let renamed = crate::catalog::ItemUpdate::of_fields(
        Item { id: "1001".into(), name: "Serena renamed".into(), ..Default::default() },
        [crate::catalog::Field::Name],
        NOW,
    );
    let err = engine
        .add_items(&mut p, &[crate::catalog::ItemUpdate::replace(fresh), renamed], &ProgressSink::none())
        .unwrap_err();
    assert!(err.to_string().contains("killed"), "{err}");
    assert!(p.item("1600").unwrap().is_none(), "the new item was not saved without its vector");
    assert_eq!(p.item("1001").unwrap().unwrap().1.name, "Serena style 1 hair makeup");
}

/// A catalog big enough for a sharded index, saved in a file project: the index is built on
/// both cores twice (from scratch each time), and every ranking comes out byte for byte the
/// same; so does reopening the saved index, and a build on one thread.
#[test]
fn a_parallel_index_build_gives_the_same_rankings_every_time() {
    let n = crate::index::SHARD_FROM + 300;
    const WORDS: [&str; 12] = [
        "serena",
        "rifle",
        "strawberry",
        "jacket",
        "denim",
        "kimchi",
        "halo",
        "latte",
        "ember",
        "frost",
        "iron",
        "velvet",
    ];
    let items: Vec<Item> = (0..n as u32)
        .map(|i| {
            let (a, b) = (WORDS[i as usize % 12], WORDS[(i as usize / 12) % 12]);
            item(10_000 + i, &format!("{a} {b} {i}"), &format!("cat {}", i % 17), &[a, b])
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.reclab");
    let mut p = Project::open(&path).unwrap();
    p.upsert_items(&items).unwrap();
    embed_catalog(&mut p, &LexicalEmbedder::new(), &Template::default_template(), 512, &ProgressSink::none()).unwrap();
    let open = |threads: usize, persist: bool| {
        let options = EngineOptions { threads, persist, ..EngineOptions::default() };
        Engine::open(&p, ModelRef::lexical(), ModelStore::at("/nonexistent"), options, &ProgressSink::none()).unwrap()
    };
    let rankings = |engine: &Engine| -> Vec<String> {
        (0..40u32)
            .map(|i| {
                let mut req = request(vec![purchase(&(10_000 + i * 499).to_string(), 300)]);
                req.rules = RuleSet::example();
                serde_json::to_string(&engine.recommend(&req).unwrap()).unwrap()
            })
            .collect()
    };
    let first = open(2, false);
    assert_eq!(first.ann().unwrap().shard_count(), crate::index::SHARDS);
    assert_eq!(first.index_report.action, IndexAction::Built);
    // At this size the index stores bf16 (chosen by size), and every similarity shown is
    // still the f32 cosine.
    assert_eq!(first.ann().unwrap().quantization(), crate::index::Quantization::Bf16);
    let rec = first.recommend(&request(vec![purchase("10000", 300)])).unwrap();
    let anchor = first.catalog().key_of("10000").unwrap();
    for r in rec.results.iter().filter(|r| r.sources.iter().all(|s| s.source == "content")).take(5) {
        let key = first.catalog().key_of(&r.item_id).unwrap();
        let exact = crate::index::dot(first.vectors.get(anchor).unwrap(), first.vectors.get(key).unwrap());
        assert!((r.similarity - f64::from(exact)).abs() < 1e-6, "{}: {} vs {exact}", r.item_id, r.similarity);
    }
    let want = rankings(&first);
    let second = open(2, false);
    assert_eq!(second.ann().unwrap().shard_bytes().unwrap(), first.ann().unwrap().shard_bytes().unwrap());
    assert_eq!(rankings(&second), want, "a second parallel build ranks differently");
    assert_eq!(rankings(&open(1, false)), want, "one build thread ranks differently");
    // Saved and reopened through the memory maps: still the same.
    let saved = open(2, true);
    assert_eq!(saved.index_report.action, IndexAction::Built);
    assert_eq!(rankings(&saved), want);
    let reopened = open(2, true);
    assert_eq!(reopened.index_report.action, IndexAction::Loaded);
    assert_eq!(reopened.ann().unwrap().quantization(), crate::index::Quantization::Bf16);
    assert!(reopened.ann().unwrap().is_mapped() && reopened.vectors.is_mapped());
    assert_eq!(rankings(&reopened), want, "the reopened index ranks differently");
}

/// While the index builds on a worker, exact search serves; the built index then takes over
/// and items added meanwhile are in it.
#[test]
fn exact_search_serves_until_the_background_build_is_installed() {
    let (mut p, _) = engine_with(|_| {});
    let options = EngineOptions { background: true, ..EngineOptions::default() };
    let mut engine =
        Engine::open(&p, ModelRef::lexical(), ModelStore::at("/nonexistent"), options, &ProgressSink::none()).unwrap();
    assert_eq!(engine.serving(), Serving::ExactWhileBuilding);
    assert!(engine.ann().is_none());
    let req = request(vec![purchase("1000", 300)]);
    let exact = engine.recommend(&req).unwrap();
    assert!(exact.results.iter().all(|r| r.item_id.starts_with('1')), "{:?}", exact.results);
    let build = engine.take_index_build().expect("a build to run");
    let worker = std::thread::spawn(move || build.run(&ProgressSink::none()));
    // An item added while the index builds.
    let fresh = item(1500, "Serena style 0 hair makeup winter edition", "Head skin", &["serena", "new"]);
    engine.add_items(&mut p, &[crate::catalog::ItemUpdate::replace(fresh)], &ProgressSink::none()).unwrap();
    let built = worker.join().unwrap().unwrap();
    assert!(engine.install_index(built));
    assert_eq!(engine.serving(), Serving::Index);
    assert!(engine.ann().unwrap().contains(engine.catalog.key_of("1500").unwrap()));
    let served = engine.recommend(&req).unwrap();
    assert!(served.results.iter().any(|r| r.item_id == "1500"), "{:?}", served.results);
    // A build planned for another engine is refused.
    let (_p2, mut other) = engine_with(|_| {});
    let options = EngineOptions { background: true, ..EngineOptions::default() };
    let mut third =
        Engine::open(&p, ModelRef::lexical(), ModelStore::at("/nonexistent"), options, &ProgressSink::none()).unwrap();
    let built = third.take_index_build().unwrap().run(&ProgressSink::none()).unwrap();
    assert!(!other.install_index(built));
}

#[test]
fn a_new_user_gets_popular_and_new_items_in_turn() {
    let (_p, engine) = engine_with(|_| {});
    let rec = engine.recommend(&request(Vec::new())).unwrap();
    assert!(rec.notes.iter().any(|n| n.contains("a new user")), "{:?}", rec.notes);
    let ids: Vec<&str> = rec.results.iter().map(|r| r.item_id.as_str()).collect();
    // The two logged items by popularity, each followed by a new item (all released on the same
    // day, so by id).
    assert_eq!(&ids[..4], &["1002", "1000", "1004", "1001"], "{ids:?}");
    assert_eq!(rec.results[0].sources[0].source, "popularity");
    assert_eq!(rec.results[1].sources[0].source, "new_items");
    assert!(
        rec.results[1].is_new && rec.results[1].reason.contains("released 30 days ago"),
        "{}",
        rec.results[1].reason
    );
    let pop = rec.sources.iter().find(|s| s.source == "popularity").unwrap();
    assert_eq!((pop.quota, pop.proposed, pop.in_results), (Sources::COLD_USER.0, 2, 2));
    let content = rec.sources.iter().find(|s| s.source == "content").unwrap();
    assert_eq!(content.proposed, 0, "nothing to search from");
    // Every source off but content, and nothing to search from: still served.
    let only_new = Request { sources: Sources { new_items: 3, ..Sources::default() }, ..request(Vec::new()) };
    let rec = engine.recommend(&only_new).unwrap();
    assert_eq!(rec.results.len(), 3, "the request's own quota: {:?}", rec.results);
    assert!(rec.results.iter().all(|r| r.is_new));
}

#[test]
fn cooccurrence_brings_what_content_misses_and_every_candidate_names_its_sources() {
    let (_p, engine) = engine_with(|_| {});
    // Clicked 1002 (5 users did; 2 of them also clicked 1004), then bought a rifle: the latest
    // strategy searches from the rifle, co-occurrence from both.
    let click = SimAction { event_type: "click".into(), item_id: Some("1002".into()), query: None, ts: NOW - 600 };
    let mut req = request(vec![click, purchase("2000", 300)]);
    req.k = 3;
    req.candidates = 10;
    let content_only = engine.recommend(&req).unwrap();
    assert!(content_only.results.iter().all(|r| r.item_id.starts_with('2')), "{:?}", content_only.results);
    assert!(content_only.candidates.iter().all(|c| c.source == "content" || c.source == "fill"));

    req.sources = Sources { cooccurrence: 10, ..Sources::default() };
    req.rules = RuleSet { name: None, rules: vec![RuleEntry::new(Rule::Cooccurrence { weight: 5.0 })] };
    let rec = engine.recommend(&req).unwrap();
    let c = rec.candidates.iter().find(|c| c.item_id == "1004").expect("co-occurrence proposes 1004");
    assert_eq!(c.source, "cooccurrence");
    // Mean over the 2 recent items of count / sqrt(n_i n_j): (2 / sqrt(5 · 2)) / 2.
    let raw = 2.0 / (10f64).sqrt() / 2.0;
    assert!((c.sources[0].score - raw).abs() < 1e-5, "{:?}", c.sources);
    let top = &rec.results[0];
    assert_eq!(top.item_id, "1004");
    assert_eq!(top.contributions[0].rule, "cooccurrence");
    assert!((top.contributions[0].value - 5.0 * raw).abs() < 1e-4);
    assert!((top.similarity + top.contributions[0].value - top.score).abs() < 1e-5, "the sum still holds");
    assert!(top.reason.contains("often acted on with Serena style 2"), "{}", top.reason);
    assert!(!top.reason.contains("similar to"), "it is not there for its similarity: {}", top.reason);
    let co = rec.sources.iter().find(|s| s.source == "cooccurrence").unwrap();
    assert_eq!((co.proposed, co.in_results), (1, 1));
    // Same request, same bytes.
    let again = engine.recommend(&req).unwrap();
    assert_eq!(serde_json::to_string(&rec).unwrap(), serde_json::to_string(&again).unwrap());
}

#[test]
fn category_affinity_is_the_share_of_the_history_in_the_category() {
    let (_p, engine) = engine_with(|_| {});
    // Two head skins (even ids) and one makeup item.
    let mut req = request(vec![purchase("1000", 900), purchase("1001", 600), purchase("1002", 300)]);
    req.rules = RuleSet { name: None, rules: vec![RuleEntry::new(Rule::CategoryAffinity { weight: 0.3 })] };
    req.k = 30;
    let rec = engine.recommend(&req).unwrap();
    let value = |cat: &str| {
        let r = rec.results.iter().find(|r| r.category.as_deref() == Some(cat)).unwrap();
        r.contributions[0].value
    };
    assert!((value("Head skin") - 0.2).abs() < 1e-5);
    assert!((value("Makeup") - 0.1).abs() < 1e-5);
    assert_eq!(value("Weapon"), 0.0);
}

#[test]
fn bad_sources_are_refused_with_the_reason() {
    let (_p, engine) = engine_with(|_| {});
    let mut req = request(vec![purchase("1000", 300)]);
    req.sources = Sources { content: false, ..Sources::default() };
    let e = engine.recommend(&req).unwrap_err().to_string();
    assert!(e.contains("every source is off"), "{e}");
    req.sources = Sources { popularity: 5, popularity_window_days: Some(-1.0), ..Sources::default() };
    let e = engine.recommend(&req).unwrap_err().to_string();
    assert!(e.contains("popularity_window_days must be a positive number of days"), "{e}");
}
