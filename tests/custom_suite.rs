//! A user's own suite (`--suites DIR`) with attestations and waivers (`--attestations`), and a
//! profile that declares a requirement not applicable: fresh sessions, JSON and body
//! expectations, verdicts attested / waived / not-applicable / manual, and `--strict`.

mod common;

use common::{Reference, text, vvcheck};
use serde_json::Value;
use vvcheck::reference::Dialect;

const SUITE: &str = r#"
- id: custom.fresh-login
  title: A check that logs in afresh and reads its own conversation
  requirements: [FUN-01]
  fresh_session: true
  vars: { text: "custom {{run_id}} — ünïcødé ✓ 🩺" }
  steps:
    - call: start_conversation
      as: patient_a
      with: { to: clinician, subject: "custom {{run_id}}", body: "{{text}}" }
      save: { first: message_id }
    - call: get_message
      as: clinician
      with: { conversation_id: "{{conversation_id}}", message_id: "{{first}}" }
      expect:
        status: "2xx"
        body_matches: "custom vv[0-9a-f]{8}"
        latency_ms: 30000
        json:
          "$.body": { equals: "{{text}}" }
          "$.attachments": { count: 0 }
          "$.nope": absent
        outputs:
          body: { contains: "ünïcødé ✓ 🩺" }
          read: false

- id: custom.not-applicable
  title: Closing conversations, declared absent by the profile
  requirements: [FUN-08]
  steps:
    - call: close_conversation
      as: clinician
      with: { conversation_id: c-none }

- id: custom.wrong-status
  title: A recommended check that fails and is waived
  requirements: [TEC-03]
  steps:
    - call: list_conversations
      as: patient_a
      expect: { status: 418 }
"#;

const ATTESTATIONS: &str = r#"
attestations:
  - requirement: SEC-14
    statement: PHI is encrypted at rest with AES-256, backups included.
    attested_by: { name: Jane Roe, organisation: Reference Health, role: CISO }
    date: 2026-01-15
    expires: 2099-01-15
  - requirement: SEC-13
    statement: Clinicians use TOTP as a second factor.
    attested_by: { name: Jane Roe, organisation: Reference Health, role: CISO }
    date: 2019-01-15
    expires: 2020-01-15
waivers:
  - requirement: TEC-03
    reason: Support page is being rewritten; approved variance.
    approved_by: { name: Sam Lee, organisation: Ontario Health, role: Reviewer }
    date: 2026-10-01
    expires: 2099-01-31
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_suites_attestations_waivers_and_not_applicable() {
    let r = Reference::start(Dialect::Rest, &[]).await;
    let profile = std::fs::read_to_string(&r.profile).unwrap();
    std::fs::write(
        &r.profile,
        format!(
            "{profile}not_applicable:\n  FUN-08: \"replies cannot be turned off in this product\"\n"
        ),
    )
    .unwrap();
    let suites = r.dir.path().join("suites");
    std::fs::create_dir(&suites).unwrap();
    std::fs::write(suites.join("custom.yaml"), SUITE).unwrap();
    let attest = r.dir.path().join("attest.yaml");
    std::fs::write(&attest, ATTESTATIONS).unwrap();
    let out_dir = r.dir.path().join("out");
    let args = |extra: &[&str]| {
        let mut a: Vec<String> = [
            "run",
            "--target",
            r.profile.to_str().unwrap(),
            "--suites",
            suites.to_str().unwrap(),
            "--attestations",
            attest.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };

    let out = vvcheck(args(&[])).await;
    let (stdout, stderr) = text(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "no mandatory requirement failed:\n{stdout}\n{stderr}"
    );
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("results.json")).unwrap())
            .unwrap();
    let check = |id: &str| {
        json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .cloned()
            .unwrap()
    };
    let req = |id: &str| {
        json["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        check("custom.fresh-login")["status"],
        "pass",
        "{}",
        check("custom.fresh-login")
    );
    assert_eq!(check("custom.not-applicable")["status"], "skipped");
    assert!(
        check("custom.not-applicable")["message"]
            .as_str()
            .unwrap()
            .contains("not applicable: replies cannot be turned off")
    );
    assert_eq!(check("custom.wrong-status")["status"], "fail");
    assert_eq!(req("FUN-01")["verdict"], "pass");
    assert_eq!(req("FUN-08")["verdict"], "not-applicable");
    assert_eq!(req("TEC-03")["verdict"], "waived");
    assert_eq!(req("SEC-14")["verdict"], "attested");
    assert_eq!(req("SEC-13")["verdict"], "manual");
    assert!(
        req("SEC-13")["reason"]
            .as_str()
            .unwrap()
            .contains("expired on 2020-01-15"),
        "{}",
        req("SEC-13")
    );

    // --strict: unattested manual requirements (and recommended ones) count.
    let strict = vvcheck(args(&["--strict", "--quiet"])).await;
    assert_eq!(strict.status.code(), Some(1), "{:?}", text(&strict));
    r.server.shutdown().await;
}
