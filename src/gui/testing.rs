//! Fixtures for the GUI tests: a small project embedded with the lexical embedder, so the real
//! app opens it in a fraction of a second, and helpers to drive the harness.

use super::state::{AppState, Loaded};
use crate::embed::{ModelRef, ModelStore, Template, embed_catalog};
use crate::jobs::ProgressSink;
use crate::pipeline::{Engine, EngineOptions, Request};
use crate::store::{ImportKind, Project, SimAction};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

pub const NOW: i64 = crate::sample::SAMPLE_NOW;

const CATALOG: &str = "id,name,name_ko,category,tags,description,price,stock\n\
1001,Serena,세레나,Descendant,serena|launch,The newest Descendant flies and throws lightning,1800,\n\
1002,Serena's Exo Sister,세레나의 엑소 시스터,Premium skin,serena|skin,Premium launch skin for Serena,2800,\n\
1003,Ash Beige Long Hair,애쉬 베이지 롱 헤어,Head skin,serena|hair,Long ash beige hair for Serena,600,\n\
1004,Dark Wave Brown,다크 웨이브 브라운,Head skin,serena|hair,Dark brown wavy hair for Serena,600,\n\
1006,Wisteria,위스테리아,Makeup,serena|makeup,Lilac makeup for Serena,400,\n\
1007,Peony,작약,Makeup,serena|makeup,Peony pink makeup for Serena,400,\n\
1009,Excavation Specialist Bundle,발굴 특화 번들,Helper,helper|bundle,Helpers for excavation,300,\n\
1011,Gley,글레이,Descendant,gley,A Descendant who drains blood,1800,\n\
1012,Gley's Dr. Elias,글레이의 엘리아스 박사,Premium skin,gley|skin,Doctor skin for Gley,2800,\n\
1020,Thunder Cycle,썬더 사이클,Weapon,weapon|rifle,Assault rifle,900,\n\
2001,Strawberries 500g,딸기 500g,Fruit,fruit|berries,Fresh strawberries from Nonsan,8900,10\n\
2002,Strawberries 1kg,딸기 1kg,Fruit,fruit|berries,Fresh strawberries from Nonsan,15900,0\n\
2003,Blueberries 200g,블루베리 200g,Fruit,fruit|berries,Fresh blueberries,6900,5\n\
2004,Whipping Cream 500ml,생크림 500ml,Dairy,dairy|cream,Whipping cream for desserts,4500,8\n\
2005,Greek Yogurt 400g,그릭 요거트 400g,Dairy,dairy,Plain Greek yogurt,5200,12\n\
3001,Slim Denim Jacket,슬림 데님 재킷,Outerwear,denim|jacket,Washed blue slim denim jacket,79000,4\n\
3002,Wool Coat,울 코트,Outerwear,wool|coat,Camel wool coat,189000,2\n";

const EVENTS: &str = "user_id,item_id,event_type,timestamp\n\
u1,1001,purchase,2026-11-10T10:00:00Z\n\
u1,1002,purchase,2026-11-10T10:05:00Z\n\
u2,1001,purchase,2026-11-11T10:00:00Z\n\
u2,1003,click,2026-11-11T10:02:00Z\n\
u3,2001,purchase,2026-11-12T09:00:00Z\n\
u3,2004,purchase,2026-11-12T09:01:00Z\n";

/// Writes the fixture project (lexical vectors, `now` set) into `dir` and returns its path.
pub fn fixture_project(dir: &Path) -> PathBuf {
    let path = dir.join("gui-test.reclab");
    let mut p = Project::open(&path).expect("create the fixture project");
    let opts = crate::catalog::ImportOptions::default();
    let sink = ProgressSink::none();
    p.import_bytes(Path::new("catalog.csv"), CATALOG.as_bytes(), ImportKind::Catalog, &opts, &sink)
        .expect("import catalog");
    p.import_bytes(Path::new("events.csv"), EVENTS.as_bytes(), ImportKind::Interactions, &opts, &sink)
        .expect("import events");
    p.set_setting("now", &crate::util::format_time(NOW)).expect("set now");
    p.set_setting("model", "lexical").expect("set model");
    // The window opens on the launch: a purchase of Serena five minutes ago.
    let launch = Request {
        user: Some("launch-demo".into()),
        actions: vec![SimAction {
            event_type: crate::pipeline::user::PURCHASE.into(),
            item_id: Some("1001".into()),
            query: None,
            ts: NOW - 300,
        }],
        now: NOW,
        ..Request::default()
    };
    let body = serde_json::to_string(&launch).expect("a request serialises");
    p.save_named(crate::store::Named::Scenario, "launch", &body).expect("save the launch scenario");
    p.set_setting(crate::session::START_SCENARIO, "launch").expect("set the start scenario");
    let e = crate::embed::LexicalEmbedder::new();
    embed_catalog(&mut p, &e, &Template::default_template(), 64, &sink).expect("embed");
    path
}

/// An [`AppState`] with the fixture loaded and the result computed, for rendering one panel.
pub fn loaded_state(dir: &Path) -> AppState {
    let path = fixture_project(dir);
    let project = Project::open_existing(&path).expect("open fixture");
    let engine = Engine::open(
        &project,
        ModelRef::lexical(),
        ModelStore::at(dir.join("models")),
        EngineOptions { persist: false, ..Default::default() },
        &ProgressSink::none(),
    )
    .expect("engine");
    let mut state = AppState::new(path);
    state.request = Request {
        actions: vec![SimAction {
            event_type: "purchase".into(),
            item_id: Some("1001".into()),
            query: None,
            ts: NOW - 300,
        }],
        now: NOW,
        baseline: true,
        rules: crate::pipeline::RuleSet::example(),
        ..Request::default()
    };
    state.result = Some(engine.recommend(&state.request).map_err(|e| e.to_string()));
    let mut loaded = Loaded {
        project,
        engine: Arc::new(RwLock::new(engine)),
        model: ModelRef::lexical(),
        presets: Vec::new(),
        scenarios: Vec::new(),
        users: Vec::new(),
        log_users: vec![("u1".into(), 2)],
        categories: vec![("Descendant".into(), 2), ("Fruit".into(), 3)],
        verticals: Vec::new(),
        event_types: vec!["view".into(), "click".into(), "purchase".into()],
        board: Arc::new(crate::eval::board::Board::default()),
        eval_runs: Vec::new(),
        names_error: None,
    };
    loaded.refresh_names();
    state.loaded = Some(loaded);
    state
}

/// A harness that renders one panel with the app's fonts.
pub fn panel_harness<'a>(size: [f32; 2], mut ui_fn: impl FnMut(&mut egui::Ui) + 'a) -> egui_kittest::Harness<'a> {
    egui_kittest::Harness::builder()
        .with_size(size)
        .with_context_setup(super::fonts::install)
        .build_ui(move |ui| ui_fn(ui))
}

/// [`loaded_state`] with the reaction board built from the fixture's log.
pub fn state_with_board(dir: &Path) -> AppState {
    let mut state = loaded_state(dir);
    if let Some(l) = &mut state.loaded {
        let log = l.project.load_interactions().expect("the fixture's log");
        l.board = Arc::new(crate::eval::board::Board::new(&log));
    }
    state
}

/// The real app on the project at `path`, in a harness (models and settings under `dir`).
pub fn app_harness(path: &Path, _dir: &Path) -> egui_kittest::Harness<'static, super::app::ReclabApp> {
    let options = super::GuiOptions { project: Some(path.to_path_buf()), ..Default::default() };
    let outcome = Arc::new(std::sync::Mutex::new(None));
    egui_kittest::Harness::builder()
        .with_size([1400.0, 900.0])
        .build_eframe(move |cc| super::app::ReclabApp::new(cc, options, outcome))
}

/// Steps until the jobs are done and the result answers the current request (or the project
/// could not open: then there is nothing more to wait for).
pub fn settle_app(h: &mut egui_kittest::Harness<'static, super::app::ReclabApp>) {
    // Let queued input and commands reach the app first.
    h.step();
    h.step();
    for _ in 0..4000 {
        h.step();
        if h.state().is_settled() {
            // A few more frames so the UI shows the new state.
            for _ in 0..3 {
                h.step();
            }
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!(
        "the app did not settle; notifications: {:?}",
        h.state().state().notifications.iter().map(|n| &n.text).collect::<Vec<_>>()
    );
}
