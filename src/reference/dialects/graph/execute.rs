//! Running an operation: each root field resolved to its whole value in order, then that
//! value shaped onto the field's selection as GraphQL does (only the selected fields, each
//! under its alias, lists item by item, null as null). A field with arguments below the root
//! (a conversation's `messages`) and a message's `conversation` are worked out only when
//! selected. The first field that fails ends the operation, its error at the field's path.

use serde_json::{Map, Value, json};

use super::ctx::Ctx;
use super::document::{Field, Operation, OperationKind};
use super::errors::GraphError;
use super::schema::{self, Gives, TYPENAME, TypeDef};
use super::{account, mutations, queries};

/// The `data` of operation `op`, already checked against the schema.
pub(crate) fn run(ctx: &Ctx, op: &Operation) -> Result<Value, GraphError> {
    let root = schema::root(op.kind);
    let mut data = Map::new();
    for f in &op.fields {
        let value = root_field(ctx, op.kind, root, f).map_err(|e| e.under(f.key()))?;
        merge(&mut data, f.key(), value);
    }
    Ok(Value::Object(data))
}

fn root_field(
    ctx: &Ctx,
    kind: OperationKind,
    root: &TypeDef,
    f: &Field,
) -> Result<Value, GraphError> {
    if f.name == TYPENAME {
        return Ok(json!(root.name));
    }
    let def = root.field(&f.name).ok_or_else(|| unknown(root, f))?;
    let value = match kind {
        OperationKind::Query => queries::resolve(ctx, f)?,
        OperationKind::Mutation => match account::resolve(ctx, f) {
            Some(result) => result?,
            None => mutations::resolve(ctx, f)?,
        },
    };
    shape(ctx, def.gives, &value, &f.selection)
}

fn unknown(ty: &TypeDef, f: &Field) -> GraphError {
    GraphError::validation(format!(
        "Cannot query field \"{}\" on type \"{}\".",
        f.name, ty.name
    ))
}

/// `value` shaped onto `selection` as what `gives` says it is.
fn shape(ctx: &Ctx, gives: Gives, value: &Value, selection: &[Field]) -> Result<Value, GraphError> {
    match (gives, value) {
        (_, Value::Null) | (Gives::Scalar, _) => Ok(value.clone()),
        (_, Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| shape(ctx, gives, item, selection).map_err(|e| e.at_index(i)))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        (Gives::Object(name), _) => {
            let ty = schema::object_type(name).ok_or_else(|| {
                GraphError::validation(format!("type \"{name}\" is not in the schema"))
            })?;
            select(ctx, ty, value, selection)
        }
    }
}

/// The fields `selection` picks from `parent`, an object of type `ty`.
fn select(
    ctx: &Ctx,
    ty: &TypeDef,
    parent: &Value,
    selection: &[Field],
) -> Result<Value, GraphError> {
    let mut out = Map::new();
    for f in selection {
        let value = if f.name == TYPENAME {
            json!(ty.name)
        } else {
            let def = ty.field(&f.name).ok_or_else(|| unknown(ty, f))?;
            let own = match queries::nested(ctx, ty.name, f, parent) {
                Some(worked_out) => worked_out.map_err(|e| e.under(f.key()))?,
                None => parent.get(&f.name).cloned().unwrap_or(Value::Null),
            };
            shape(ctx, def.gives, &own, &f.selection).map_err(|e| e.under(f.key()))?
        };
        merge(&mut out, f.key(), value);
    }
    Ok(Value::Object(out))
}

/// Puts `value` under `key`; a key selected twice (the same field, validation made sure)
/// gets both selections' subfields.
fn merge(out: &mut Map<String, Value>, key: &str, value: Value) {
    match out.get_mut(key) {
        Some(old) => merge_into(old, value),
        None => {
            out.insert(key.to_owned(), value);
        }
    }
}

fn merge_into(old: &mut Value, new: Value) {
    match (old, new) {
        (Value::Object(old), Value::Object(new)) => {
            for (k, v) in new {
                merge(old, &k, v);
            }
        }
        (Value::Array(old), Value::Array(new)) if old.len() == new.len() => {
            for (o, n) in old.iter_mut().zip(new) {
                merge_into(o, n);
            }
        }
        (old, new) => *old = new,
    }
}
