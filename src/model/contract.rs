//! The operation contract: the abstract operations suites speak in, their inputs and outputs.
//! A target profile maps each onto a vendor's real API.

/// One abstract operation.
#[derive(Debug)]
pub struct ContractOp {
    pub name: &'static str,
    /// Inputs a suite must give.
    pub required: &'static [&'static str],
    /// Inputs a suite may give.
    pub optional: &'static [&'static str],
    /// Inputs whose value names an actor (`to: clinician`).
    pub actor_inputs: &'static [&'static str],
    /// Named outputs a profile maps from the vendor's response.
    pub outputs: &'static [&'static str],
    /// The operation reads or returns PHI (its responses must not be cacheable).
    pub phi: bool,
}

/// The whole contract.
pub const OPERATIONS: &[ContractOp] = &[
    ContractOp {
        name: "start_conversation",
        required: &["to", "subject", "body"],
        optional: &["attachment_ids"],
        actor_inputs: &["to"],
        outputs: &["conversation_id", "message_id"],
        phi: true,
    },
    ContractOp {
        name: "send_message",
        required: &["conversation_id", "body"],
        optional: &["attachment_ids"],
        actor_inputs: &[],
        outputs: &["message_id"],
        phi: true,
    },
    ContractOp {
        name: "list_conversations",
        required: &[],
        optional: &[],
        actor_inputs: &[],
        outputs: &["conversations"],
        phi: true,
    },
    ContractOp {
        name: "get_conversation",
        required: &["conversation_id"],
        optional: &[],
        actor_inputs: &[],
        outputs: &["conversation_id", "subject", "participants"],
        phi: true,
    },
    ContractOp {
        name: "list_messages",
        required: &["conversation_id"],
        optional: &[],
        actor_inputs: &[],
        outputs: &["messages"],
        phi: true,
    },
    ContractOp {
        name: "get_message",
        required: &["conversation_id", "message_id"],
        optional: &[],
        actor_inputs: &[],
        outputs: &["body", "author", "created_at", "read"],
        phi: true,
    },
    ContractOp {
        name: "upload_attachment",
        required: &["file"],
        optional: &[],
        actor_inputs: &[],
        outputs: &["attachment_id"],
        phi: true,
    },
    ContractOp {
        name: "download_attachment",
        required: &["attachment_id"],
        optional: &[],
        actor_inputs: &[],
        outputs: &["sha256", "size", "media_type", "disposition"],
        phi: true,
    },
    ContractOp {
        name: "mark_read",
        required: &["conversation_id", "message_id"],
        optional: &[],
        actor_inputs: &[],
        outputs: &[],
        phi: false,
    },
    ContractOp {
        name: "close_conversation",
        required: &["conversation_id"],
        optional: &[],
        actor_inputs: &[],
        outputs: &[],
        phi: false,
    },
    ContractOp {
        name: "notifications",
        required: &["recipient"],
        optional: &[],
        actor_inputs: &["recipient"],
        outputs: &["notifications"],
        phi: false,
    },
    ContractOp {
        name: "audit_log",
        required: &["subject"],
        optional: &[],
        actor_inputs: &["subject"],
        outputs: &["events"],
        phi: true,
    },
    ContractOp {
        name: "logout",
        required: &[],
        optional: &[],
        actor_inputs: &[],
        outputs: &[],
        phi: false,
    },
];

/// Looks an operation up by name.
pub fn operation(name: &str) -> Option<&'static ContractOp> {
    OPERATIONS.iter().find(|op| op.name == name)
}

/// All operation names, for suggestions.
pub fn names() -> impl Iterator<Item = &'static str> {
    OPERATIONS.iter().map(|op| op.name)
}

impl ContractOp {
    /// Whether `input` is one of this operation's inputs.
    pub fn accepts(&self, input: &str) -> bool {
        self.required.contains(&input) || self.optional.contains(&input)
    }
}

/// Default values of optional inputs a suite leaves out.
pub fn optional_default(input: &str) -> serde_json::Value {
    match input {
        "attachment_ids" => serde_json::Value::Array(Vec::new()),
        _ => serde_json::Value::Null,
    }
}

/// Variables every template can use.
pub const GLOBALS: &[&str] = &["run_id", "actors", "declared", "target", "pages"];

/// Operations a profile may serve with another's request, reading what it needs from that
/// response (`get_message` from the thread's list when a vendor has no single-message route):
/// (derived, from).
pub const DERIVABLE: &[(&str, &str)] = &[
    ("get_message", "list_messages"),
    ("get_message", "get_conversation"),
    ("get_conversation", "list_conversations"),
    ("get_conversation", "list_messages"),
];
