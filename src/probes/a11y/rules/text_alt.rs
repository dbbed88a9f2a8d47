//! Text alternatives (1.1.1): images, image buttons, image-map areas, SVG images and objects.

use scraper::ElementRef;

use super::names::require_name;
use super::{Rule, RuleRun};
use crate::probes::a11y::accname;
use crate::probes::a11y::dom::{Dom, input_type};
use crate::probes::a11y::page::Page;
use crate::probes::a11y::rules::roles::explicit_role;

/// `img` elements have a text alternative, or are marked decorative.
pub static IMAGE_ALT: Rule = Rule {
    id: "image-alt",
    criteria: &["1.1.1"],
    help: "Images must have alternate text",
    run: image_alt,
};

/// `input type=image` buttons have a text alternative.
pub static INPUT_IMAGE_ALT: Rule = Rule {
    id: "input-image-alt",
    criteria: &["1.1.1", "4.1.2"],
    help: "Image buttons must have alternate text",
    run: input_image_alt,
};

/// `area` elements of image maps have a text alternative.
pub static AREA_ALT: Rule = Rule {
    id: "area-alt",
    criteria: &["1.1.1", "2.4.4", "4.1.2"],
    help: "Active <area> elements must have alternate text",
    run: area_alt,
};

/// `svg` elements with `role=img` have a text alternative.
pub static SVG_IMG_ALT: Rule = Rule {
    id: "svg-img-alt",
    criteria: &["1.1.1"],
    help: "<svg> elements with an img role must have alternate text",
    run: svg_img_alt,
};

/// `object` elements have a text alternative.
pub static OBJECT_ALT: Rule = Rule {
    id: "object-alt",
    criteria: &["1.1.1"],
    help: "<object> elements must have alternate text",
    run: object_alt,
};

fn decorative(el: ElementRef<'_>) -> bool {
    matches!(explicit_role(el).as_deref(), Some("presentation" | "none"))
}

/// The nearest link or button `img` sits in, when the image is all it has to show.
fn sole_content_of_control<'a>(dom: &Dom<'a>, img: ElementRef<'a>) -> Option<ElementRef<'a>> {
    let control = img
        .ancestors()
        .filter_map(ElementRef::wrap)
        .take(accname::MAX_DEPTH)
        .find(|a| {
            let v = a.value();
            (v.name() == "a" && v.attr("href").is_some())
                || v.name() == "button"
                || matches!(explicit_role(*a).as_deref(), Some("link" | "button"))
        })?;
    let role = if control.value().name() == "button" {
        "button"
    } else {
        "link"
    };
    let name = accname::name(dom, control, role);
    name.surely_empty().then_some(control)
}

fn image_alt(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    for img in dom.tagged("img").filter(|i| !dom.is_excluded(*i)) {
        run.checked += 1;
        let v = img.value();
        let alt = v.attr("alt");
        if alt.is_some_and(|a| a.trim().is_empty()) {
            if let Some(control) = sole_content_of_control(&dom, img) {
                let tag = control.value().name();
                run.fail(
                    img,
                    format!("alt=\"\" on the only content of a <{tag}>: it has no name"),
                );
            }
            continue;
        }
        if alt.is_some() || decorative(img) {
            continue;
        }
        if accname::name(&dom, img, "img").text.is_empty() {
            run.fail(
                img,
                "no alt attribute (nor aria-label, aria-labelledby, title)",
            );
        }
    }
}

fn input_image_alt(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    for input in dom
        .tagged("input")
        .filter(|i| input_type(*i) == "image" && !dom.is_excluded(*i))
    {
        run.checked += 1;
        let name = accname::name(&dom, input, "button");
        require_name(run, input, &name, "the image button");
    }
}

fn area_alt(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    for area in dom.tagged("area").filter(|a| {
        a.value().attr("href").is_some()
            && a.ancestors()
                .filter_map(ElementRef::wrap)
                .any(|m| m.value().name() == "map")
    }) {
        run.checked += 1;
        let name = accname::name(&dom, area, "link");
        require_name(run, area, &name, "the image-map area");
    }
}

fn svg_img_alt(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    for svg in dom.tagged("svg").filter(|s| {
        !dom.is_excluded(*s)
            && matches!(
                explicit_role(*s).as_deref(),
                Some("img" | "graphics-document" | "graphics-symbol")
            )
    }) {
        run.checked += 1;
        let name = accname::name(&dom, svg, "img");
        require_name(run, svg, &name, "the SVG image");
    }
}

fn object_alt(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    for object in dom
        .tagged("object")
        .filter(|o| !dom.is_excluded(*o) && !decorative(*o))
    {
        run.checked += 1;
        let mut name = accname::name(&dom, object, "img");
        if name.text.is_empty() {
            // Fallback content is the object's text alternative (HTML-AAM).
            name = accname::from_content(&dom, object);
        }
        require_name(run, object, &name, "the object");
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{failed, run};
    use super::*;

    #[test]
    fn an_image_with_empty_alt_is_decorative_unless_it_is_all_a_link_shows() {
        let r = run(
            &IMAGE_ALT,
            r#"<img id="a" src="x"><img id="b" src="x" alt=""><a id="l" href="/"><img id="c" src="x" alt=""></a><a href="/">Home <img id="d" src="x" alt=""></a><img id="e" src="x" role="presentation">"#,
        );
        assert_eq!(r.checked, 5);
        assert_eq!(failed(&r), ["#a", "#c"]);
    }

    #[test]
    fn svg_and_objects_and_areas_need_names() {
        let r = run(
            &SVG_IMG_ALT,
            r#"<svg id="a" role="img"></svg><svg id="b" role="img"><title>Chart</title></svg><svg id="c"></svg>"#,
        );
        assert_eq!((r.checked, failed(&r)), (2, vec!["#a".to_string()]));
        let r = run(
            &OBJECT_ALT,
            r#"<object id="a" data="x.pdf"></object><object id="b" data="x.pdf">Report</object>"#,
        );
        assert_eq!(failed(&r), ["#a"]);
        let r = run(
            &AREA_ALT,
            r#"<map name="m"><area id="a" href="/a"><area id="b" href="/b" alt="B"></map>"#,
        );
        assert_eq!(failed(&r), ["#a"]);
    }
}
