//! The operation contract: the abstract operations suites speak in, their inputs and their
//! outputs with each output's type. A target profile maps each onto a vendor's real API.

use super::output_type::{Field, OutputType};

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
    /// Named outputs a profile maps from the vendor's response, with their types.
    pub outputs: &'static [Field],
    /// The operation reads or returns PHI (its responses must not be cacheable).
    pub phi: bool,
}

/// A field (or output) named `name` of type `ty`.
const fn field(name: &'static str, ty: OutputType) -> Field {
    Field { name, ty }
}

const CONVERSATION: &[Field] = &[
    field("conversation_id", OutputType::Id),
    field("subject", OutputType::Text),
];

const PARTICIPANT: &[Field] = &[field("id", OutputType::Id), field("name", OutputType::Text)];

const MESSAGE: &[Field] = &[
    field("message_id", OutputType::Id),
    field("body", OutputType::Text),
    field("author", OutputType::Id),
    field("created_at", OutputType::Timestamp),
    field("read", OutputType::Boolean),
];

const NOTIFICATION: &[Field] = &[
    field("channel", OutputType::Text),
    field("to", OutputType::Text),
    field("text", OutputType::Text),
];

const AUDIT_EVENT: &[Field] = &[
    field("actor", OutputType::Id),
    field("action", OutputType::Text),
    field("resource", OutputType::Id),
];

/// The whole contract.
pub const OPERATIONS: &[ContractOp] = &[
    ContractOp {
        name: "start_conversation",
        required: &["to", "subject", "body"],
        optional: &["attachment_ids"],
        actor_inputs: &["to"],
        outputs: &[
            field("conversation_id", OutputType::Id),
            field("message_id", OutputType::Id),
        ],
        phi: true,
    },
    ContractOp {
        name: "send_message",
        required: &["conversation_id", "body"],
        optional: &["attachment_ids"],
        actor_inputs: &[],
        outputs: &[field("message_id", OutputType::Id)],
        phi: true,
    },
    ContractOp {
        name: "list_conversations",
        required: &[],
        optional: &[],
        actor_inputs: &[],
        outputs: &[field("conversations", OutputType::Records(CONVERSATION))],
        phi: true,
    },
    ContractOp {
        name: "get_conversation",
        required: &["conversation_id"],
        optional: &[],
        actor_inputs: &[],
        outputs: &[
            field("conversation_id", OutputType::Id),
            field("subject", OutputType::Text),
            field("participants", OutputType::Records(PARTICIPANT)),
        ],
        phi: true,
    },
    ContractOp {
        name: "list_messages",
        required: &["conversation_id"],
        optional: &[],
        actor_inputs: &[],
        outputs: &[field("messages", OutputType::Records(MESSAGE))],
        phi: true,
    },
    ContractOp {
        name: "get_message",
        required: &["conversation_id", "message_id"],
        optional: &[],
        actor_inputs: &[],
        outputs: &[
            field("body", OutputType::Text),
            field("author", OutputType::Id),
            field("created_at", OutputType::Timestamp),
            field("read", OutputType::Boolean),
        ],
        phi: true,
    },
    ContractOp {
        name: "upload_attachment",
        required: &["file"],
        optional: &[],
        actor_inputs: &[],
        outputs: &[field("attachment_id", OutputType::Id)],
        phi: true,
    },
    ContractOp {
        name: "download_attachment",
        required: &["attachment_id"],
        optional: &[],
        actor_inputs: &[],
        outputs: &[
            field("sha256", OutputType::Text),
            field("size", OutputType::Number),
            field("media_type", OutputType::Text),
            field("disposition", OutputType::Text),
        ],
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
        outputs: &[field("notifications", OutputType::Records(NOTIFICATION))],
        phi: false,
    },
    ContractOp {
        name: "audit_log",
        required: &["subject"],
        optional: &[],
        actor_inputs: &["subject"],
        outputs: &[field("events", OutputType::Records(AUDIT_EVENT))],
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

    /// The output named `name`, with its type.
    pub fn output(&self, name: &str) -> Option<&'static Field> {
        self.outputs.iter().find(|o| o.name == name)
    }

    /// The names of the outputs.
    pub fn output_names(&self) -> impl Iterator<Item = &'static str> + use<> {
        self.outputs.iter().map(|o| o.name)
    }
}

/// Default values of optional inputs a suite leaves out.
pub fn optional_default(input: &str) -> serde_json::Value {
    match input {
        "attachment_ids" => serde_json::Value::Array(Vec::new()),
        _ => serde_json::Value::Null,
    }
}

/// The inputs that carry message text a patient or clinician writes, by operation: what the
/// run sends there is PHI it planted itself, searched for where PHI must not go.
pub const MESSAGE_TEXT_INPUTS: &[(&str, &str)] = &[
    ("start_conversation", "subject"),
    ("start_conversation", "body"),
    ("send_message", "body"),
];

/// The outputs a `same_file` expectation compares with the file that was sent.
pub const SAME_FILE_OUTPUTS: [&str; 2] = ["sha256", "size"];

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
