//! The command line and the window answer the same request the same way: both go through the
//! session layer (`reclab::session`).

use crate::support::Sandbox;
use egui_kittest::Harness;
use reclab::gui::{GuiOptions, ReclabApp};
use std::sync::{Arc, Mutex};

/// The window's result for `scenario` on the sandbox's project, as the CLI's JSON value.
fn window_result(sb: &Sandbox, scenario: Option<&str>) -> serde_json::Value {
    let options =
        GuiOptions { project: Some(sb.project()), scenario: scenario.map(str::to_string), ..Default::default() };
    let outcome = Arc::new(Mutex::new(None));
    let mut h =
        Harness::builder().with_size([1400.0, 900.0]).build_eframe(move |cc| ReclabApp::new(cc, options, outcome));
    for _ in 0..6000 {
        h.step();
        let app = h.state();
        if app.is_settled() && app.state().request.user.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let state = h.state().state();
    assert!(h.state().is_settled(), "the window did not settle: {:?}", state.notifications.len());
    serde_json::to_value(state.current().expect("the window has a result")).unwrap()
}

#[test]
fn the_window_and_the_command_line_give_the_same_result_for_a_scenario() {
    let sb = Sandbox::new();
    sb.ok(&["sample"]);
    sb.ok(&["embed", "--model", "lexical"]);
    // The window opens the sample on its start scenario, the shop launch; and on a scenario
    // given by name.
    for (scenario, in_window) in [("shop-launch", None), ("korean-bbq-basket", Some("korean-bbq-basket"))] {
        let cli: serde_json::Value =
            serde_json::from_str(&sb.ok(&["recommend", "--scenario", scenario, "--baseline", "--json"])).unwrap();
        let window = window_result(&sb, in_window);
        assert!(!cli["results"].as_array().unwrap().is_empty(), "{scenario}");
        assert_eq!(window, cli, "{scenario}: the window and `reclab recommend --json` differ");
    }
    let status = sb.ok(&["status"]);
    assert_eq!(status.lines().filter(|l| l.starts_with("vectors ")).count(), 1, "the window embedded nothing new");
}
