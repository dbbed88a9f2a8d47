//! The schema: every object type with its fields, each field's arguments and what it gives,
//! and the check of a document's selections against it, made before anything runs (an unknown
//! field or argument, a missing required argument, a selection on a scalar or none on an
//! object are `GRAPHQL_VALIDATION_FAILED`). `__typename` may be selected on every object.

use super::document::{Field, OperationKind};
use super::errors::GraphError;

/// What a field gives: a scalar (or a list of them), or an object type (or a list of them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Gives {
    Scalar,
    Object(&'static str),
}

/// An argument of a field, with its type as the schema writes it (`ID!`).
pub(crate) struct Arg {
    pub name: &'static str,
    pub ty: &'static str,
}

impl Arg {
    fn required(&self) -> bool {
        self.ty.ends_with('!')
    }
}

/// A field of an object type.
pub(crate) struct FieldDef {
    pub name: &'static str,
    pub gives: Gives,
    pub args: &'static [Arg],
}

/// An object type and its fields.
pub(crate) struct TypeDef {
    pub name: &'static str,
    pub fields: &'static [FieldDef],
}

impl TypeDef {
    /// The field called `name`.
    pub(crate) fn field(&self, name: &str) -> Option<&'static FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }
}

const fn scalar(name: &'static str) -> FieldDef {
    FieldDef {
        name,
        gives: Gives::Scalar,
        args: &[],
    }
}

const fn object(name: &'static str, ty: &'static str) -> FieldDef {
    FieldDef {
        name,
        gives: Gives::Object(ty),
        args: &[],
    }
}

const fn with_args(name: &'static str, gives: Gives, args: &'static [Arg]) -> FieldDef {
    FieldDef { name, gives, args }
}

const fn arg(name: &'static str, ty: &'static str) -> Arg {
    Arg { name, ty }
}

/// The paging arguments of a connection.
const PAGE: &[Arg] = &[arg("first", "Int"), arg("after", "String")];
const BY_ID: &[Arg] = &[arg("id", "ID!")];

const QUERY: TypeDef = TypeDef {
    name: "Query",
    fields: &[
        object("me", "User"),
        with_args(
            "conversations",
            Gives::Object("ConversationConnection"),
            PAGE,
        ),
        with_args("conversation", Gives::Object("Conversation"), BY_ID),
        with_args("message", Gives::Object("Message"), BY_ID),
        with_args("attachment", Gives::Object("Attachment"), BY_ID),
    ],
};

const MUTATION: TypeDef = TypeDef {
    name: "Mutation",
    fields: &[
        with_args(
            "login",
            Gives::Object("AuthPayload"),
            &[arg("email", "String!"), arg("password", "String!")],
        ),
        with_args(
            "refreshSession",
            Gives::Object("TokenPayload"),
            &[arg("refreshToken", "String!")],
        ),
        scalar("logout"),
        with_args(
            "startConversation",
            Gives::Object("StartConversationPayload"),
            &[arg("input", "StartConversationInput!")],
        ),
        with_args(
            "sendMessage",
            Gives::Object("SendMessagePayload"),
            &[arg("input", "SendMessageInput!")],
        ),
        with_args(
            "markRead",
            Gives::Object("Message"),
            &[arg("messageId", "ID!")],
        ),
        with_args("closeConversation", Gives::Object("Conversation"), BY_ID),
        with_args(
            "createUpload",
            Gives::Object("UploadTicket"),
            &[arg("input", "CreateUploadInput!")],
        ),
        with_args(
            "completeUpload",
            Gives::Object("Attachment"),
            &[arg("attachmentId", "ID!")],
        ),
    ],
};

/// The object types below the roots.
const TYPES: &[TypeDef] = &[
    TypeDef {
        name: "User",
        fields: &[
            scalar("id"),
            scalar("name"),
            scalar("role"),
            scalar("email"),
        ],
    },
    TypeDef {
        name: "AuthPayload",
        fields: &[
            scalar("accessToken"),
            scalar("refreshToken"),
            scalar("expiresIn"),
            object("user", "User"),
        ],
    },
    TypeDef {
        name: "TokenPayload",
        fields: &[
            scalar("accessToken"),
            scalar("refreshToken"),
            scalar("expiresIn"),
        ],
    },
    TypeDef {
        name: "Conversation",
        fields: &[
            scalar("id"),
            scalar("subject"),
            scalar("status"),
            scalar("lastActivityAt"),
            object("participants", "User"),
            with_args("messages", Gives::Object("MessageConnection"), PAGE),
        ],
    },
    TypeDef {
        name: "ConversationConnection",
        fields: &[
            object("edges", "ConversationEdge"),
            object("pageInfo", "PageInfo"),
        ],
    },
    TypeDef {
        name: "ConversationEdge",
        fields: &[scalar("cursor"), object("node", "Conversation")],
    },
    TypeDef {
        name: "Message",
        fields: &[
            scalar("id"),
            scalar("body"),
            object("author", "User"),
            scalar("createdAt"),
            scalar("read"),
            object("readBy", "User"),
            object("attachments", "Attachment"),
            object("conversation", "Conversation"),
        ],
    },
    TypeDef {
        name: "MessageConnection",
        fields: &[
            object("edges", "MessageEdge"),
            object("pageInfo", "PageInfo"),
        ],
    },
    TypeDef {
        name: "MessageEdge",
        fields: &[scalar("cursor"), object("node", "Message")],
    },
    TypeDef {
        name: "PageInfo",
        fields: &[scalar("hasNextPage"), scalar("endCursor")],
    },
    TypeDef {
        name: "Attachment",
        fields: &[
            scalar("id"),
            scalar("filename"),
            scalar("mediaType"),
            scalar("size"),
            scalar("sha256"),
            scalar("downloadUrl"),
        ],
    },
    TypeDef {
        name: "StartConversationPayload",
        fields: &[
            object("conversation", "Conversation"),
            object("message", "Message"),
        ],
    },
    TypeDef {
        name: "SendMessagePayload",
        fields: &[object("message", "Message")],
    },
    TypeDef {
        name: "UploadTicket",
        fields: &[
            scalar("attachmentId"),
            scalar("uploadUrl"),
            scalar("expiresAt"),
        ],
    },
];

/// The root type of operations of `kind`.
pub(crate) fn root(kind: OperationKind) -> &'static TypeDef {
    match kind {
        OperationKind::Query => &QUERY,
        OperationKind::Mutation => &MUTATION,
    }
}

/// The object type called `name`.
pub(crate) fn object_type(name: &str) -> Option<&'static TypeDef> {
    TYPES.iter().find(|t| t.name == name)
}

/// The field every object answers with its type's name.
pub(crate) const TYPENAME: &str = "__typename";

/// Checks `selection` against `ty`, and each field's own selection against what it gives.
pub(crate) fn validate(ty: &TypeDef, selection: &[Field]) -> Result<(), GraphError> {
    for f in selection {
        if f.name == TYPENAME {
            no_subfields(f, "String")?;
            continue;
        }
        let def = ty.field(&f.name).ok_or_else(|| {
            GraphError::validation(format!(
                "Cannot query field \"{}\" on type \"{}\".",
                f.name, ty.name
            ))
        })?;
        check_args(ty, def, f)?;
        match def.gives {
            Gives::Scalar => no_subfields(f, "a scalar")?,
            Gives::Object(name) => {
                if f.selection.is_empty() {
                    return Err(GraphError::validation(format!(
                        "Field \"{}\" of type \"{name}\" must have a selection of subfields.",
                        f.name
                    )));
                }
                let inner = object_type(name).ok_or_else(|| {
                    GraphError::validation(format!("type \"{name}\" is not in the schema"))
                })?;
                validate(inner, &f.selection)?;
            }
        }
    }
    check_keys(selection)
}

fn no_subfields(f: &Field, what: &str) -> Result<(), GraphError> {
    if f.selection.is_empty() {
        Ok(())
    } else {
        Err(GraphError::validation(format!(
            "Field \"{}\" must not have a selection since it gives {what}, which has no subfields.",
            f.name
        )))
    }
}

fn check_args(ty: &TypeDef, def: &FieldDef, f: &Field) -> Result<(), GraphError> {
    if let Some(unknown) = f
        .args
        .keys()
        .find(|k| !def.args.iter().any(|a| a.name == *k))
    {
        return Err(GraphError::validation(format!(
            "Unknown argument \"{unknown}\" on field \"{}.{}\".",
            ty.name, def.name
        )));
    }
    let given = |name: &str| f.args.get(name).is_some_and(|v| !v.is_null());
    match def.args.iter().find(|a| a.required() && !given(a.name)) {
        Some(a) => Err(GraphError::validation(format!(
            "Field \"{}\" argument \"{}\" of type \"{}\" is required, but it was not provided.",
            def.name, a.name, a.ty
        ))),
        None => Ok(()),
    }
}

/// Two selections answering under one key must be the same field with the same arguments
/// (their subfields are merged), as GraphQL's validation requires.
fn check_keys(selection: &[Field]) -> Result<(), GraphError> {
    for (i, a) in selection.iter().enumerate() {
        let clash = selection[..i]
            .iter()
            .any(|b| b.key() == a.key() && (b.name != a.name || b.args != a.args));
        if clash {
            return Err(GraphError::validation(format!(
                "Fields \"{}\" conflict because they are different fields or have different arguments; use aliases.",
                a.key()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::Map;

    use super::*;

    fn field(name: &str, selection: Vec<Field>) -> Field {
        Field {
            name: name.into(),
            alias: None,
            args: Map::new(),
            selection,
        }
    }

    #[test]
    fn every_object_a_field_gives_is_in_the_schema() {
        for ty in TYPES.iter().chain([&QUERY, &MUTATION]) {
            for f in ty.fields {
                if let Gives::Object(name) = f.gives {
                    assert!(
                        object_type(name).is_some(),
                        "{}.{} gives {name}",
                        ty.name,
                        f.name
                    );
                }
            }
        }
    }

    #[test]
    fn selections_are_checked_against_the_schema() {
        let me = |selection| validate(&QUERY, &[field("me", selection)]).map_err(|e| e.message);
        assert_eq!(
            me(vec![field("id", vec![]), field(TYPENAME, vec![])]),
            Ok(())
        );
        assert!(
            me(vec![field("dob", vec![])]).is_err_and(|m| m.contains("\"dob\" on type \"User\""))
        );
        assert!(me(vec![]).is_err_and(|m| m.contains("must have a selection")));
        assert!(
            me(vec![field("id", vec![field("x", vec![])])])
                .is_err_and(|m| m.contains("must not have"))
        );
        let no_id = validate(&QUERY, &[field("conversation", vec![field("id", vec![])])]);
        assert!(no_id.is_err_and(|e| {
            e.message
                .contains("argument \"id\" of type \"ID!\" is required")
        }));
        let mut odd = field("me", vec![field("id", vec![])]);
        odd.args.insert("x".into(), serde_json::json!(1));
        assert!(
            validate(&QUERY, &[odd]).is_err_and(|e| e.message.contains("Unknown argument \"x\""))
        );
        let mut aliased = field("email", vec![]);
        aliased.alias = Some("id".into());
        assert!(me(vec![field("id", vec![]), aliased]).is_err_and(|m| m.contains("conflict")));
    }
}
