//! A target profile resolved for running: secrets read, URLs parsed, files loaded.
//! Secrets live in [`SecretString`], whose `Debug` and `Display` never show the value.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;

use super::diag::{Diagnostic, Diagnostics, SourceFile};
use super::located::Located;
use super::outcome::{Outcome, OutcomeRule, default_rules};
use super::output::OutputSpec;
pub use super::secret::SecretString;
use super::secret_file;
use super::target::{
    AuthScheme, Declared, HttpVersion, Operation, Secret, TargetProfile, Timeouts,
};

/// An actor ready to log in.
#[derive(Debug, Clone)]
pub struct ResolvedActor {
    pub name: String,
    pub scheme_name: String,
    pub scheme: AuthScheme,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    pub token: Option<SecretString>,
    pub client_secret: Option<SecretString>,
    pub vars: IndexMap<String, String>,
    pub capture: IndexMap<String, OutputSpec>,
    /// The actor's synthetic PHI; an actor that declares any is a synthetic patient.
    pub canaries: crate::model::canary::DeclaredPhi,
}

/// TLS material.
#[derive(Debug, Clone, Default)]
pub struct ResolvedTls {
    /// Extra trusted roots (PEM).
    pub ca_pem: Option<Vec<u8>>,
    /// Client certificate chain and key (PEM) for mutual TLS.
    pub client_identity: Option<(Vec<u8>, SecretString)>,
    /// Trust `ca_pem` alone, not the system's store besides it.
    pub ca_only: bool,
}

/// A page ready to fetch: its path, the actor it is fetched as when it needs sign-in, and the
/// path of its French version, if the profile declares one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedPage {
    pub path: String,
    pub actor: Option<String>,
    pub fr: Option<String>,
}

/// A target ready to run against.
#[derive(Debug, Clone)]
pub struct ResolvedTarget {
    pub name: String,
    /// The environment the profile says it points at (`staging`), for scoped attestations.
    pub environment: Option<String>,
    pub base_url: url::Url,
    pub http_url: url::Url,
    /// The origins the actors' credentials may go to: `base_url`'s and the profile's `origins:`.
    pub credential_origins: Vec<url::Origin>,
    pub tls: ResolvedTls,
    pub timeouts: Timeouts,
    /// The HTTP versions vvcheck may use (`http.version`).
    pub http_version: HttpVersion,
    /// The outbound proxy (`proxy:`, else the environment's).
    pub proxy: super::proxy::ResolvedProxy,
    pub actors: IndexMap<String, ResolvedActor>,
    pub operations: IndexMap<String, Operation>,
    pub pages: IndexMap<String, ResolvedPage>,
    /// What outcomes look like profile-wide, where not the REST default.
    pub outcomes: IndexMap<Outcome, Vec<OutcomeRule>>,
    pub declared: Declared,
    pub not_applicable: IndexMap<String, String>,
    /// Every secret value, so that writers can prove none leaked.
    pub secrets: Vec<SecretString>,
    /// What should be fixed in the profile but does not stop a run (a secrets file open to
    /// other users).
    pub warnings: Vec<Diagnostic>,
    /// The file the profile came from.
    pub source: PathBuf,
}

struct Resolver<'a> {
    file: &'a Arc<SourceFile>,
    base_dir: PathBuf,
    diags: Diagnostics,
    warnings: Vec<Diagnostic>,
    /// Secrets files already warned about.
    warned: HashSet<PathBuf>,
    secrets: Vec<SecretString>,
    /// Resolving for `validate`, not for a run.
    validating: bool,
}

impl Resolver<'_> {
    fn secret(&mut self, s: &Secret) -> Option<SecretString> {
        let value = match s {
            Secret::Env(var) => match std::env::var(var.as_str()) {
                Ok(v) if !v.is_empty() => v,
                _ => {
                    self.diags.push(
                        Diagnostic::new(
                            self.file,
                            var.loc,
                            format!("environment variable `{}` is not set", var.value),
                        )
                        .hint(format!("export {}=… before running", var.value)),
                    );
                    return None;
                }
            },
            Secret::File { path, key } => {
                let full = self.base_dir.join(path.as_str());
                match secret_file::read(&full, key.as_deref()) {
                    Ok(v) => {
                        self.check_mode(path, &full);
                        v
                    }
                    Err(e) => {
                        self.diags
                            .push(Diagnostic::new(self.file, path.loc, e.to_string()));
                        return None;
                    }
                }
            }
        };
        let secret = SecretString::new(value);
        self.secrets.push(secret.clone());
        Some(secret)
    }

    /// Warns, once per file, when a secrets file is open to other users.
    fn check_mode(&mut self, written: &Located<String>, full: &Path) {
        let Some(mode) = secret_file::open_to_others(full) else {
            return;
        };
        if !self.warned.insert(full.to_path_buf()) {
            return;
        }
        let shown = full.display();
        self.warnings.push(
            Diagnostic::warning(
                self.file,
                written.loc,
                format!("secret file `{shown}` can be read by group or others (mode {mode:04o})"),
            )
            .hint(format!("run `chmod 600 {shown}`")),
        );
    }

    /// The run's proxies: the profile's `proxy:` and the environment's, each problem located
    /// (an environment variable's at `base_url`, which it would carry).
    fn proxy(
        &mut self,
        profile: &TargetProfile,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Option<super::proxy::ResolvedProxy> {
        use super::proxy::{ProxyError, ResolvedProxy};
        let settings = profile.proxy.as_ref();
        let credentials = match settings.map(|s| (&s.username, &s.password)) {
            Some((Some(user), Some(password))) => {
                self.secret(password).map(|p| (user.value.clone(), p))
            }
            Some((Some(user), None)) => {
                self.diags.push(
                    Diagnostic::new(
                        self.file,
                        user.loc,
                        "`proxy.username` without `proxy.password`",
                    )
                    .hint("add `password: {env: VAR}`, or drop the user name"),
                );
                None
            }
            Some((None, Some(password))) => {
                self.diags.push(Diagnostic::new(
                    self.file,
                    password.loc(),
                    "`proxy.password` without `proxy.username`",
                ));
                None
            }
            _ => None,
        };
        match ResolvedProxy::resolve(settings, credentials, env) {
            Ok((plan, found)) => {
                self.secrets.extend(found);
                Some(plan)
            }
            Err(e) => {
                let at_url = matches!(e, ProxyError::InlineCredentials)
                    || settings.is_some_and(|s| s.url.is_some());
                let loc = match settings.and_then(|s| s.url.as_ref()) {
                    Some(url) if at_url => url.loc,
                    _ => profile.base_url.loc,
                };
                let hint = if at_url {
                    "write `url: http://proxy.example:3128`"
                } else {
                    "fix or unset the variable, or name the proxy in the profile's `proxy.url`"
                };
                self.diags
                    .push(Diagnostic::new(self.file, loc, e.to_string()).hint(hint));
                None
            }
        }
    }

    /// A URL; a bad one was already reported by validation, so it only stops resolution.
    fn url(&mut self, u: &Located<String>) -> Option<url::Url> {
        url::Url::parse(u).ok()
    }

    fn read(&mut self, p: &Located<String>) -> Option<Vec<u8>> {
        let full = self.base_dir.join(p.as_str());
        match std::fs::read(&full) {
            Ok(bytes) => Some(bytes),
            Err(e) if self.validating && e.kind() == std::io::ErrorKind::NotFound => {
                self.warnings.push(
                    Diagnostic::warning(
                        self.file,
                        p.loc,
                        format!("`{}` does not exist yet", full.display()),
                    )
                    .hint("a run needs it; fine if the test server writes it when it starts"),
                );
                None
            }
            Err(e) => {
                self.diags.push(Diagnostic::new(
                    self.file,
                    p.loc,
                    format!("cannot read `{}`: {e}", full.display()),
                ));
                None
            }
        }
    }
}

impl ResolvedTarget {
    /// Resolves a validated profile; relative paths are taken from the profile's folder.
    pub fn resolve(
        profile: &TargetProfile,
        file: &Arc<SourceFile>,
        validating: bool,
    ) -> Result<ResolvedTarget, Diagnostics> {
        let base_dir = file
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut r = Resolver {
            file,
            base_dir,
            diags: Diagnostics::default(),
            warnings: Vec::new(),
            warned: HashSet::new(),
            secrets: Vec::new(),
            validating,
        };
        let base_url = r.url(&profile.base_url);
        let http_url = match &profile.http_url {
            Some(u) => r.url(u),
            None => base_url.clone().map(|mut u| {
                let _ = u.set_scheme("http");
                let _ = u.set_port(None);
                u
            }),
        };
        let mut tls = ResolvedTls {
            ca_pem: None,
            client_identity: None,
            ca_only: profile.tls.ca_only,
        };
        if let Some(path) = &profile.tls.ca_file
            && let Some(pem) = r.read(path)
        {
            match super::pem::certificates(&pem) {
                Ok(_) => tls.ca_pem = Some(pem),
                Err(e) => r.diags.push(Diagnostic::new(
                    file,
                    path.loc,
                    format!("`tls.ca_file`: {e}"),
                )),
            }
        }
        if profile.tls.ca_only && profile.tls.ca_file.is_none() {
            r.diags.push(
                Diagnostic::new(
                    file,
                    profile.base_url.loc,
                    "`tls.ca_only` trusts only `tls.ca_file`, and there is none",
                )
                .hint("name the CA bundle in `tls.ca_file`, or drop `ca_only`"),
            );
        }
        match (&profile.tls.client_cert, &profile.tls.client_key) {
            (Some(cert_path), Some(key)) => {
                let cert = r.read(cert_path);
                let secret = r.secret(key);
                if let Some(c) = &cert
                    && let Err(e) = super::pem::certificates(c)
                {
                    r.diags.push(Diagnostic::new(
                        file,
                        cert_path.loc,
                        format!("`tls.client_cert`: {e}"),
                    ));
                }
                if let Some(k) = &secret
                    && let Err(e) = super::pem::private_key(k.expose())
                {
                    r.diags.push(Diagnostic::new(
                        file,
                        key.loc(),
                        format!("`tls.client_key`: {e}"),
                    ));
                }
                if let (Some(c), Some(k)) = (cert, secret) {
                    tls.client_identity = Some((c, k));
                }
            }
            (None, None) => {}
            _ => r.diags.push(Diagnostic::new(
                file,
                profile.base_url.loc,
                "mutual TLS needs both `tls.client_cert` and `tls.client_key`",
            )),
        }
        let proxy = r.proxy(profile, &|var| std::env::var(var).ok());
        let mut actors = IndexMap::new();
        for (name, a) in &profile.actors {
            let Some(scheme) = profile.auth.get(a.auth.as_str()) else {
                continue;
            };
            let password = a.password.as_ref().and_then(|s| r.secret(s));
            let token = a.token.as_ref().and_then(|s| r.secret(s));
            let client_secret = scheme.client_secret.as_ref().and_then(|s| r.secret(s));
            let mut capture: IndexMap<String, OutputSpec> = scheme
                .capture
                .iter()
                .map(|(k, v)| (k.clone(), v.value.clone()))
                .collect();
            capture.extend(a.capture.iter().map(|(k, v)| (k.clone(), v.value.clone())));
            // Validation reports unreadable canaries at their values; here they only drop out.
            let canaries = a.canaries.read().unwrap_or_default();
            actors.insert(
                name.value.clone(),
                ResolvedActor {
                    name: name.value.clone(),
                    scheme_name: a.auth.value.clone(),
                    scheme: scheme.value.clone(),
                    username: a.username.clone(),
                    password,
                    token,
                    client_secret,
                    vars: a.vars.clone(),
                    capture,
                    canaries,
                },
            );
        }
        if !r.diags.is_empty() {
            return Err(r.diags);
        }
        let (Some(base_url), Some(http_url)) = (base_url, http_url) else {
            r.diags.push(Diagnostic::new(
                file,
                profile.base_url.loc,
                format!("invalid URL `{}`", profile.base_url.value),
            ));
            return Err(r.diags);
        };
        let credential_origins = std::iter::once(base_url.origin())
            .chain(
                profile
                    .origins
                    .iter()
                    .filter_map(|o| url::Url::parse(o).ok())
                    .map(|u| u.origin()),
            )
            .collect();
        Ok(ResolvedTarget {
            name: profile.name.clone(),
            environment: profile.environment.clone(),
            credential_origins,
            base_url,
            http_url,
            tls,
            timeouts: profile.timeouts,
            http_version: profile.http.version,
            proxy: proxy.unwrap_or_default(),
            actors,
            operations: profile
                .operations
                .iter()
                .map(|(k, v)| (k.value.clone(), v.value.clone()))
                .collect(),
            pages: profile
                .pages
                .all()
                .into_iter()
                .map(|(name, p)| {
                    let page = ResolvedPage {
                        path: p.path.value.clone(),
                        actor: p.actor.as_ref().map(|a| a.value.clone()),
                        fr: p.fr.as_ref().map(|f| f.value.clone()),
                    };
                    (name.to_string(), page)
                })
                .collect(),
            outcomes: profile
                .outcomes
                .iter()
                .map(|(k, v)| (k.value, v.clone()))
                .collect(),
            declared: profile.declared.clone(),
            not_applicable: profile
                .not_applicable
                .iter()
                .map(|(k, v)| (k.value.clone(), v.clone()))
                .collect(),
            secrets: r.secrets,
            warnings: r.warnings,
            source: file.path.clone(),
        })
    }

    /// For each pair of `operations` the profile maps onto the same request (method, path,
    /// query and body of its first request: one GraphQL endpoint serves many operations, told
    /// apart by their documents), a line saying so, so that a check meant to exercise distinct
    /// endpoints shows it did not; the contract's derivable pairs are named as such.
    pub fn same_requests(&self, operations: &[&str]) -> Vec<String> {
        let key = |op: &str| {
            let r = self.operations.get(op)?.requests.first()?;
            let method = r.method.clone().unwrap_or_else(|| "GET".into());
            let body = r
                .json
                .as_ref()
                .map(|j| j.value.to_string())
                .or_else(|| r.form.as_ref().map(|f| format!("{f:?}")))
                .or_else(|| r.body.as_ref().map(|b| format!("{:?}", b.value)));
            Some((
                method.to_ascii_uppercase(),
                r.path.value.clone(),
                r.query.clone(),
                body,
            ))
        };
        let mut ops: Vec<&str> = operations.to_vec();
        ops.sort_unstable();
        ops.dedup();
        let mut out = Vec::new();
        for (i, a) in ops.iter().enumerate() {
            for b in &ops[i + 1..] {
                let (Some(ka), Some(kb)) = (key(a), key(b)) else {
                    continue;
                };
                if ka != kb {
                    continue;
                }
                let derived = crate::model::contract::DERIVABLE
                    .iter()
                    .find(|(d, f)| (d == a && f == b) || (d == b && f == a));
                let request = format!("{} {}", ka.0, ka.1);
                out.push(match derived {
                    Some((d, f)) => format!(
                        "note: this profile derives {d} from {f}: both send {request}, so they \
                         are one endpoint, not two"
                    ),
                    None => format!(
                        "note: this profile maps {a} and {b} onto the same request ({request}), \
                         so they are one endpoint, not two"
                    ),
                });
            }
        }
        out
    }

    /// The ways an answer of `operation` shows `outcome`: the operation's own, else the
    /// profile's, else the REST default.
    pub fn outcome_rules(&self, operation: &str, outcome: Outcome) -> Vec<OutcomeRule> {
        let own = self
            .operations
            .get(operation)
            .and_then(|op| op.outcomes.iter().find(|(k, _)| k.value == outcome))
            .map(|(_, v)| v.clone());
        own.or_else(|| self.outcomes.get(&outcome).cloned())
            .unwrap_or_else(|| default_rules(outcome))
    }

    /// Whether the profile itself says how `operation`'s answers show `outcome` (for it, or
    /// profile-wide), rather than leaving the REST default.
    pub fn outcome_rules_written(&self, operation: &str, outcome: Outcome) -> bool {
        let own = self
            .operations
            .get(operation)
            .is_some_and(|op| op.outcomes.keys().any(|k| k.value == outcome));
        own || self.outcomes.contains_key(&outcome)
    }

    /// Whether a request to `url` may carry an actor's credentials: only to the profile's own
    /// origins, so a pre-signed URL on a storage host never receives a token.
    pub fn carries_credentials(&self, url: &url::Url) -> bool {
        self.credential_origins.contains(&url.origin())
    }

    /// The absolute URL of a path (or an absolute URL given as is).
    pub fn url(&self, path: &str) -> Result<url::Url, url::ParseError> {
        if path.starts_with("http://") || path.starts_with("https://") {
            url::Url::parse(path)
        } else {
            self.base_url.join(path)
        }
    }
}

/// A profile written in a test, resolved (panics on a bad one: tests only).
#[cfg(test)]
pub(crate) fn from_test_yaml(yaml: &str) -> ResolvedTarget {
    let node = crate::model::yaml::parse(yaml).expect("YAML");
    let profile: TargetProfile = crate::model::yaml::from_node(&node).expect("a profile");
    let file = Arc::new(SourceFile {
        path: "t.yaml".into(),
        text: yaml.to_string(),
    });
    ResolvedTarget::resolve(&profile, &file, false).expect("resolves")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(yaml: &str) -> ResolvedTarget {
        from_test_yaml(yaml)
    }

    #[test]
    fn operations_mapped_onto_one_request_are_named_and_derivable_ones_say_so() {
        let t = target(
            r#"
name: t
base_url: https://vendor.example
actors: {}
operations:
  list_messages: { path: "/t/{{conversation_id}}/posts", outputs: {} }
  get_message: { path: "/t/{{conversation_id}}/posts", outputs: {} }
  send_message: { method: post, path: "/t/{{conversation_id}}/posts", outputs: {} }
  list_conversations: { path: /t, outputs: {} }
  mark_read: { path: /t, outputs: {} }
"#,
        );
        assert_eq!(
            t.same_requests(&[
                "get_message",
                "list_messages",
                "send_message",
                "get_message"
            ]),
            [
                "note: this profile derives get_message from list_messages: both send GET \
              /t/{{conversation_id}}/posts, so they are one endpoint, not two"
            ]
        );
        assert_eq!(
            t.same_requests(&["list_conversations", "mark_read"]),
            [
                "note: this profile maps list_conversations and mark_read onto the same request \
              (GET /t), so they are one endpoint, not two"
            ]
        );
        assert!(
            t.same_requests(&["send_message", "list_messages"])
                .is_empty()
        );
    }
}
