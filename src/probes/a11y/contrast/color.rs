//! Colour values as CSS writes them, alpha compositing, and WCAG 2.0's relative luminance and
//! contrast ratio.
//!
//! Tokens come from `cssparser` (Servo's tokenizer, already under `scraper`), and so do the 148
//! named colours and hex notation; the few colour functions WCAG pages use (`rgb()`, `hsl()`
//! and their alpha forms) are read here, as `cssparser` no longer ships its colour-function
//! parser and a second colour crate would duplicate its named table.

use cssparser::{Parser, Token};

/// An sRGB colour, channels 0–255 (kept fractional for compositing) and alpha 0–1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rgba {
    pub r: f64,
    pub g: f64,
    pub b: f64,
    pub a: f64,
}

/// Canvas white, what is behind a page with no background of its own.
pub const WHITE: Rgba = Rgba::opaque(255.0, 255.0, 255.0);
/// CSS's initial text colour.
pub const BLACK: Rgba = Rgba::opaque(0.0, 0.0, 0.0);
/// Fully transparent: `background-color`'s initial value.
pub const TRANSPARENT: Rgba = Rgba {
    r: 0.0,
    g: 0.0,
    b: 0.0,
    a: 0.0,
};

/// A colour a declaration gives, before `currentColor` is known.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ColorValue {
    Rgba(Rgba),
    /// `currentColor`: the element's own `color`.
    Current,
}

impl Rgba {
    /// An opaque colour.
    pub const fn opaque(r: f64, g: f64, b: f64) -> Rgba {
        Rgba { r, g, b, a: 1.0 }
    }

    /// Whether nothing behind it shows through.
    pub fn is_opaque(&self) -> bool {
        self.a >= 1.0
    }

    /// `self` painted over `below` (source-over); opaque when `below` is.
    pub fn over(self, below: Rgba) -> Rgba {
        let a = self.a + below.a * (1.0 - self.a);
        if a <= 0.0 {
            return TRANSPARENT;
        }
        let mix = |s: f64, d: f64| (s * self.a + d * below.a * (1.0 - self.a)) / a;
        Rgba {
            r: mix(self.r, below.r),
            g: mix(self.g, below.g),
            b: mix(self.b, below.b),
            a,
        }
    }

    /// `self` seen through a group opacity of `alpha` over `behind` (both opaque).
    pub fn through(self, alpha: f64, behind: Rgba) -> Rgba {
        let mix = |s: f64, d: f64| s * alpha + d * (1.0 - alpha);
        Rgba::opaque(
            mix(self.r, behind.r),
            mix(self.g, behind.g),
            mix(self.b, behind.b),
        )
    }

    /// WCAG 2.0 relative luminance (its 0.03928 threshold, not sRGB's later 0.04045).
    pub fn luminance(&self) -> f64 {
        let lin = |c: f64| {
            let c = (c / 255.0).clamp(0.0, 1.0);
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(self.r) + 0.7152 * lin(self.g) + 0.0722 * lin(self.b)
    }

    /// `#rrggbb`, or `#rrggbbaa` when not opaque, rounded to whole channels.
    pub fn hex(&self) -> String {
        let ch = |c: f64| c.round().clamp(0.0, 255.0) as u8;
        let mut s = format!("#{:02x}{:02x}{:02x}", ch(self.r), ch(self.g), ch(self.b));
        if !self.is_opaque() {
            s.push_str(&format!("{:02x}", ch(self.a * 255.0)));
        }
        s
    }
}

/// WCAG 2.0 contrast ratio of two colours, (L1 + 0.05) / (L2 + 0.05), from 1 to 21.
pub fn contrast_ratio(a: Rgba, b: Rgba) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Reads a whole value as one colour: `Ok(None)` when it is not a colour CSS knows (an
/// invalid declaration, dropped), `Err(why)` when it is one this crate does not compute
/// (`lab()`, system colours).
pub fn parse(text: &str) -> Result<Option<ColorValue>, String> {
    let mut p = Parser::new(text);
    let value = parse_one(&mut p)?;
    if p.expect_exhausted().is_err() {
        return Ok(None);
    }
    Ok(value)
}

/// System colours: real colours, but the browser's and the user's to choose.
const SYSTEM_COLORS: &[&str] = &[
    "canvas",
    "canvastext",
    "linktext",
    "visitedtext",
    "activetext",
    "buttonface",
    "buttontext",
    "buttonborder",
    "field",
    "fieldtext",
    "highlight",
    "highlighttext",
    "selecteditem",
    "selecteditemtext",
    "mark",
    "marktext",
    "graytext",
    "accentcolor",
    "accentcolortext",
];

/// Reads one colour component from `p` (see [`parse`]).
pub fn parse_one(p: &mut Parser<'_>) -> Result<Option<ColorValue>, String> {
    let start = p.position();
    let Ok(token) = p.next().cloned() else {
        return Ok(None);
    };
    match token {
        Token::Hash(h) | Token::IDHash(h) => Ok(cssparser::color::parse_hash_color(h.as_bytes())
            .ok()
            .map(|(r, g, b, a)| ColorValue::Rgba(Rgba::from_bytes(r, g, b, f64::from(a))))),
        Token::Ident(name) => {
            let name = name.to_ascii_lowercase();
            if name == "currentcolor" {
                return Ok(Some(ColorValue::Current));
            }
            if name == "transparent" {
                return Ok(Some(ColorValue::Rgba(TRANSPARENT)));
            }
            if SYSTEM_COLORS.contains(&name.as_str()) {
                return Err(format!("system colour {name}"));
            }
            Ok(cssparser::color::parse_named_color(&name)
                .ok()
                .map(|(r, g, b)| ColorValue::Rgba(Rgba::from_bytes(r, g, b, 1.0))))
        }
        Token::Function(name) => {
            let name = name.to_ascii_lowercase();
            let parsed = p.parse_nested_block(|args| {
                Ok::<_, cssparser::ParseError<()>>(match name.as_str() {
                    "rgb" | "rgba" => rgb_args(args),
                    "hsl" | "hsla" => hsl_args(args),
                    _ => None,
                })
            });
            match (name.as_str(), parsed) {
                ("rgb" | "rgba" | "hsl" | "hsla", Ok(Some(c))) => Ok(Some(ColorValue::Rgba(c))),
                ("rgb" | "rgba" | "hsl" | "hsla", _) => Ok(None),
                _ => Err(format!(
                    "colour {} not computed",
                    super::css::short(p.slice_from(start))
                )),
            }
        }
        _ => Ok(None),
    }
}

impl Rgba {
    fn from_bytes(r: u8, g: u8, b: u8, a: f64) -> Rgba {
        Rgba {
            r: f64::from(r),
            g: f64::from(g),
            b: f64::from(b),
            a: a.clamp(0.0, 1.0),
        }
    }
}

/// A numeric argument: a number, a percentage (as a fraction), or an angle in degrees.
#[derive(Clone, Copy)]
enum Arg {
    Number(f64),
    Percent(f64),
    Degrees(f64),
}

/// The arguments of a colour function, commas or spaces between them and an optional
/// `/ alpha`: the colour channels and the alpha.
fn args(p: &mut Parser<'_>) -> Option<(Vec<Arg>, Option<Arg>)> {
    let mut channels = Vec::new();
    let mut alpha = None;
    let mut after_slash = false;
    while let Ok(token) = p.next() {
        let arg = match *token {
            Token::Number { value, .. } => Arg::Number(f64::from(value)),
            Token::Percentage { unit_value, .. } => Arg::Percent(f64::from(unit_value)),
            Token::Dimension {
                value, ref unit, ..
            } => {
                let v = f64::from(value);
                Arg::Degrees(match unit.to_ascii_lowercase().as_str() {
                    "deg" => v,
                    "grad" => v * 0.9,
                    "rad" => v.to_degrees(),
                    "turn" => v * 360.0,
                    _ => return None,
                })
            }
            Token::Comma => continue,
            Token::Delim('/') if !after_slash => {
                after_slash = true;
                continue;
            }
            _ => return None,
        };
        if after_slash {
            if alpha.is_some() {
                return None;
            }
            alpha = Some(arg);
        } else {
            channels.push(arg);
        }
    }
    match (channels.len(), alpha) {
        (3, _) => Some((channels, alpha)),
        (4, None) => {
            let a = channels.pop();
            Some((channels, a))
        }
        _ => None,
    }
}

fn alpha_of(a: Option<Arg>) -> Option<f64> {
    match a {
        None => Some(1.0),
        Some(Arg::Number(v) | Arg::Percent(v)) => Some(v.clamp(0.0, 1.0)),
        Some(Arg::Degrees(_)) => None,
    }
}

fn rgb_args(p: &mut Parser<'_>) -> Option<Rgba> {
    let (ch, a) = args(p)?;
    let channel = |arg: Arg| match arg {
        Arg::Number(v) => Some(v.clamp(0.0, 255.0)),
        Arg::Percent(v) => Some((v * 255.0).clamp(0.0, 255.0)),
        Arg::Degrees(_) => None,
    };
    Some(Rgba {
        r: channel(ch[0])?,
        g: channel(ch[1])?,
        b: channel(ch[2])?,
        a: alpha_of(a)?,
    })
}

fn hsl_args(p: &mut Parser<'_>) -> Option<Rgba> {
    let (ch, a) = args(p)?;
    let hue = match ch[0] {
        Arg::Number(v) | Arg::Degrees(v) => v,
        Arg::Percent(_) => return None,
    };
    let fraction = |arg: Arg| match arg {
        Arg::Percent(v) => Some(v.clamp(0.0, 1.0)),
        Arg::Number(v) => Some((v / 100.0).clamp(0.0, 1.0)),
        Arg::Degrees(_) => None,
    };
    let (s, l) = (fraction(ch[1])?, fraction(ch[2])?);
    // CSS Color 4's hsl-to-rgb: f(n) = l - a·max(-1, min(k - 3, 9 - k, 1)), k = (n + h/30) mod 12.
    let h = hue.rem_euclid(360.0);
    let amp = s * l.min(1.0 - l);
    let f = |n: f64| {
        let k = (n + h / 30.0).rem_euclid(12.0);
        (l - amp * (k - 3.0).min(9.0 - k).clamp(-1.0, 1.0)) * 255.0
    };
    Some(Rgba {
        r: f(0.0),
        g: f(8.0),
        b: f(4.0),
        a: alpha_of(a)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rgba(text: &str) -> Rgba {
        match parse(text) {
            Ok(Some(ColorValue::Rgba(c))) => c,
            other => panic!("{text}: {other:?}"),
        }
    }

    fn ratio(a: &str, b: &str) -> f64 {
        (contrast_ratio(rgba(a), rgba(b)) * 100.0).round() / 100.0
    }

    #[test]
    fn ratios_match_the_known_figures() {
        assert_eq!(ratio("#000", "#fff"), 21.0);
        assert_eq!(ratio("#777777", "#ffffff"), 4.48);
        assert_eq!(ratio("#767676", "#fff"), 4.54);
        assert_eq!(ratio("#fff", "#fff"), 1.0);
        assert_eq!(ratio("#0000ee", "white"), 9.4);
        assert_eq!(ratio("#999", "#fff"), 2.85);
    }

    #[test]
    fn every_notation_reads_the_same_colour() {
        let grey = Rgba::opaque(119.0, 119.0, 119.0);
        for text in [
            "#777",
            "#777777",
            "#777777ff",
            "rgb(119, 119, 119)",
            "RGB(119 119 119)",
            "rgba(119,119,119,1)",
            "rgb(119 119 119 / 100%)",
            "hsl(0, 0%, 46.667%)",
            "hsla(120deg 0% 46.667% / 1)",
        ] {
            let c = rgba(text);
            assert!(
                (c.r - grey.r).abs() < 0.01 && (c.b - grey.b).abs() < 0.01 && c.a == 1.0,
                "{text}: {c:?}"
            );
        }
        assert_eq!(rgba("rebeccapurple"), Rgba::opaque(102.0, 51.0, 153.0));
        assert_eq!(rgba("LightGoldenRodYellow").hex(), "#fafad2");
        assert_eq!(rgba("hsl(120, 100%, 25%)").hex(), "#008000");
        assert_eq!(rgba("hsl(0.5turn 100% 50%)").hex(), "#00ffff");
        assert!((rgba("#0008").a - f64::from(0x88u8) / 255.0).abs() < 1e-6);
        assert_eq!(rgba("transparent").a, 0.0);
        assert_eq!(parse("currentColor"), Ok(Some(ColorValue::Current)));
    }

    #[test]
    fn what_is_no_colour_is_dropped_and_what_is_not_computed_says_so() {
        for bad in [
            "#12",
            "rgb(1,2)",
            "nosuchcolour",
            "rgb(1,2,3) red",
            "",
            "12px",
        ] {
            assert_eq!(parse(bad), Ok(None), "{bad}");
        }
        assert!(parse("lab(50% 40 59)").is_err());
        assert!(parse("Canvas").is_err());
    }

    #[test]
    fn alpha_composites_over_what_is_below() {
        let half_black = rgba("rgba(0,0,0,0.5)");
        let c = half_black.over(WHITE);
        assert!(c.is_opaque());
        assert!((c.r - 127.5).abs() < 1e-9);
        let quarter = rgba("rgba(255,255,255,0.5)").over(half_black);
        assert!((quarter.a - 0.75).abs() < 1e-9);
        assert!((quarter.over(BLACK).r - 127.5).abs() < 1e-9);
        let seen = BLACK.through(0.5, WHITE);
        assert!((seen.g - 127.5).abs() < 1e-9);
    }
}
