//! From a GraphQL request to the operation it asks for: the body's `query`, `variables` and
//! `operationName`, the document parsed by graphql-parser, the operation chosen, and its
//! fields with every argument's value worked out (variables, their defaults and literals alike)
//! as JSON. Fragments, directives and subscriptions are refused.

use graphql_parser::query::{
    self as gql, Definition, OperationDefinition, Selection, SelectionSet, Type, VariableDefinition,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::errors::{Code, GraphError};

/// A GraphQL request body.
#[derive(Deserialize)]
pub(crate) struct GraphRequest {
    query: String,
    #[serde(default)]
    variables: Option<Map<String, Value>>,
    #[serde(default, rename = "operationName")]
    operation_name: Option<String>,
}

/// Whether an operation reads or writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OperationKind {
    Query,
    Mutation,
}

/// The operation to run: its kind and its root fields.
#[derive(Debug)]
pub(crate) struct Operation {
    pub kind: OperationKind,
    pub fields: Vec<Field>,
}

/// A selected field: its name, the alias it answers under (if any), its arguments' values and
/// its own selection (empty for a scalar).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field {
    pub name: String,
    pub alias: Option<String>,
    pub args: Map<String, Value>,
    pub selection: Vec<Field>,
}

impl Field {
    /// The key the field answers under: its alias, else its name.
    pub(crate) fn key(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name)
    }

    /// The arguments read into `T`; arguments `T` cannot take are `BAD_USER_INPUT`.
    pub(crate) fn args<T: DeserializeOwned>(&self) -> Result<T, GraphError> {
        serde_json::from_value(Value::Object(self.args.clone()))
            .map_err(|e| GraphError::input(format!("invalid arguments to `{}`: {e}", self.name)))
    }
}

type Definitions<'a> = Vec<OperationDefinition<'a, String>>;

fn unsupported(what: &str) -> GraphError {
    GraphError::validation(format!(
        "{what} are not supported by this server: select the fields in the operation itself"
    ))
}

/// The operation `req` asks for, its arguments' values worked out.
pub(crate) fn operation(req: &GraphRequest) -> Result<Operation, GraphError> {
    let doc = gql::parse_query::<String>(&req.query)
        .map_err(|e| GraphError::new(Code::ParseFailed, format!("Syntax Error: {e}")))?;
    let mut operations: Definitions = Vec::new();
    for definition in doc.definitions {
        match definition {
            Definition::Operation(op) => operations.push(op),
            Definition::Fragment(_) => return Err(unsupported("fragments")),
        }
    }
    let chosen = choose(operations, req.operation_name.as_deref())?;
    let (kind, variables, directives, selection) = match chosen {
        OperationDefinition::SelectionSet(set) => {
            (OperationKind::Query, Vec::new(), Vec::new(), set)
        }
        OperationDefinition::Query(q) => (
            OperationKind::Query,
            q.variable_definitions,
            q.directives,
            q.selection_set,
        ),
        OperationDefinition::Mutation(m) => (
            OperationKind::Mutation,
            m.variable_definitions,
            m.directives,
            m.selection_set,
        ),
        OperationDefinition::Subscription(_) => return Err(unsupported("subscriptions")),
    };
    if !directives.is_empty() {
        return Err(unsupported("directives"));
    }
    let empty = Map::new();
    let given = req.variables.as_ref().unwrap_or(&empty);
    let values = variable_values(&variables, given)?;
    Ok(Operation {
        kind,
        fields: fields(&selection, &values)?,
    })
}

fn name_of<'a>(op: &'a OperationDefinition<'_, String>) -> Option<&'a str> {
    match op {
        OperationDefinition::SelectionSet(_) => None,
        OperationDefinition::Query(q) => q.name.as_deref(),
        OperationDefinition::Mutation(m) => m.name.as_deref(),
        OperationDefinition::Subscription(s) => s.name.as_deref(),
    }
}

/// The operation named `name`, or the only one when no name is given.
fn choose<'a>(
    mut operations: Definitions<'a>,
    name: Option<&str>,
) -> Result<OperationDefinition<'a, String>, GraphError> {
    match name {
        Some(name) => operations
            .into_iter()
            .find(|op| name_of(op) == Some(name))
            .ok_or_else(|| GraphError::validation(format!("Unknown operation named \"{name}\"."))),
        None if operations.len() == 1 => operations
            .pop()
            .ok_or_else(|| GraphError::validation("the document has no operation")),
        None => Err(GraphError::validation(
            "Must provide operation name if query contains multiple operations.",
        )),
    }
}

/// Every declared variable's value: given, else its default, else null; a non-null variable
/// left without one is `BAD_USER_INPUT`, as GraphQL servers answer.
fn variable_values(
    definitions: &[VariableDefinition<'_, String>],
    given: &Map<String, Value>,
) -> Result<Map<String, Value>, GraphError> {
    let mut values = Map::new();
    for d in definitions {
        let value = match (given.get(&d.name), &d.default_value) {
            (Some(v), _) => v.clone(),
            (None, Some(default)) => literal(default, &Map::new())?,
            (None, None) => Value::Null,
        };
        if value.is_null() && matches!(d.var_type, Type::NonNullType(_)) {
            return Err(GraphError::input(format!(
                "Variable \"${}\" of required type \"{}\" was not provided.",
                d.name, d.var_type
            )));
        }
        values.insert(d.name.clone(), value);
    }
    Ok(values)
}

/// A value of the document as JSON, its variables replaced by their values.
fn literal(v: &gql::Value<'_, String>, vars: &Map<String, Value>) -> Result<Value, GraphError> {
    Ok(match v {
        gql::Value::Variable(name) => vars.get(name).cloned().ok_or_else(|| {
            GraphError::validation(format!("Variable \"${name}\" is not defined."))
        })?,
        gql::Value::Int(n) => n.as_i64().map_or(Value::Null, |n| json!(n)),
        gql::Value::Float(f) => json!(f),
        gql::Value::String(s) => json!(s),
        gql::Value::Boolean(b) => json!(b),
        gql::Value::Null => Value::Null,
        gql::Value::Enum(e) => json!(e),
        gql::Value::List(items) => Value::Array(
            items
                .iter()
                .map(|item| literal(item, vars))
                .collect::<Result<_, _>>()?,
        ),
        gql::Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| Ok((k.clone(), literal(v, vars)?)))
                .collect::<Result<_, GraphError>>()?,
        ),
    })
}

fn fields(
    set: &SelectionSet<'_, String>,
    vars: &Map<String, Value>,
) -> Result<Vec<Field>, GraphError> {
    set.items
        .iter()
        .map(|item| match item {
            Selection::Field(f) => {
                if !f.directives.is_empty() {
                    return Err(unsupported("directives"));
                }
                let args = f
                    .arguments
                    .iter()
                    .map(|(name, v)| Ok((name.clone(), literal(v, vars)?)))
                    .collect::<Result<_, GraphError>>()?;
                Ok(Field {
                    name: f.name.clone(),
                    alias: f.alias.clone(),
                    args,
                    selection: fields(&f.selection_set, vars)?,
                })
            }
            Selection::FragmentSpread(_) | Selection::InlineFragment(_) => {
                Err(unsupported("fragments"))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(query: &str, variables: Value) -> Result<Operation, GraphError> {
        let req: GraphRequest =
            serde_json::from_value(json!({ "query": query, "variables": variables }))
                .expect("request");
        operation(&req)
    }

    #[test]
    fn arguments_come_from_literals_variables_and_defaults() {
        let got = op(
            r#"query Q($id: ID!, $n: Int = 2) {
                 c: conversation(id: $id) { messages(first: $n, after: null) { edges { cursor } } }
                 x: startConversation(input: { recipientId: 1004, ids: [$id, "7"], ok: true, e: OPEN, f: 1.5 }) { id }
               }"#,
            json!({ "id": "10001" }),
        )
        .expect("operation");
        assert_eq!(got.kind, OperationKind::Query);
        let c = &got.fields[0];
        assert_eq!((c.key(), c.name.as_str()), ("c", "conversation"));
        assert_eq!(c.args["id"], json!("10001"));
        assert_eq!(
            c.selection[0].args,
            json!({"first": 2, "after": null})
                .as_object()
                .cloned()
                .expect("object")
        );
        assert_eq!(
            got.fields[1].args["input"],
            json!({"recipientId": 1004, "ids": ["10001", "7"], "ok": true, "e": "OPEN", "f": 1.5})
        );
    }

    #[test]
    fn unsupported_and_broken_documents_are_refused() {
        let code = |q: &str, vars: Value| op(q, vars).map(|_| ()).map_err(|e| e.code);
        assert_eq!(code("{ me { id ", json!({})), Err(Code::ParseFailed));
        assert_eq!(
            code("{ ...F } fragment F on Query { me { id } }", json!({})),
            Err(Code::ValidationFailed)
        );
        assert_eq!(
            code("{ me { ... on User { id } } }", json!({})),
            Err(Code::ValidationFailed)
        );
        assert_eq!(
            code("{ me @skip(if: true) { id } }", json!({})),
            Err(Code::ValidationFailed)
        );
        assert_eq!(
            code("subscription { me { id } }", json!({})),
            Err(Code::ValidationFailed)
        );
        assert_eq!(
            code("{ conversation(id: $x) { id } }", json!({})),
            Err(Code::ValidationFailed)
        );
        assert_eq!(
            code("query($x: ID!) { conversation(id: $x) { id } }", json!({})),
            Err(Code::BadUserInput)
        );
        assert_eq!(
            code("query A { me { id } } query B { me { id } }", json!({})),
            Err(Code::ValidationFailed)
        );
        let req: GraphRequest = serde_json::from_value(json!({
            "query": "query A { me { id } } mutation B { logout }", "operationName": "B"
        }))
        .expect("request");
        assert_eq!(operation(&req).map(|o| o.kind), Ok(OperationKind::Mutation));
    }
}
