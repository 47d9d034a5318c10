//! A tiny geometry library with tests that leave some code uncovered on purpose.

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    Circle { radius: f64 },
    Rect { width: f64, height: f64 },
    Triangle { a: f64, b: f64, c: f64 },
}

impl Shape {
    pub fn area(&self) -> f64 {
        match *self {
            Shape::Circle { radius } => std::f64::consts::PI * radius * radius,
            Shape::Rect { width, height } => width * height,
            Shape::Triangle { a, b, c } => {
                let s = (a + b + c) / 2.0;
                (s * (s - a) * (s - b) * (s - c)).sqrt()
            }
        }
    }

    pub fn describe(&self) -> String {
        let area = self.area();
        if area > 100.0 {
            format!("large ({area:.1})")
        } else if area > 10.0 {
            format!("medium ({area:.1})")
        } else {
            format!("small ({area:.1})")
        }
    }
}

/// Parses `circle R`, `rect W H` or `triangle A B C`.
pub fn parse(text: &str) -> Result<Shape, String> {
    let mut words = text.split_whitespace();
    let kind = words.next().ok_or("empty input")?;
    let numbers: Vec<f64> = words
        .map(|w| w.parse::<f64>().map_err(|e| format!("{w}: {e}")))
        .collect::<Result<_, _>>()?;
    match (kind, numbers.as_slice()) {
        ("circle", [r]) => Ok(Shape::Circle { radius: *r }),
        ("rect", [w, h]) => Ok(Shape::Rect { width: *w, height: *h }),
        ("triangle", [a, b, c]) if a + b > *c && a + c > *b && b + c > *a => {
            Ok(Shape::Triangle { a: *a, b: *b, c: *c })
        }
        ("triangle", _) => Err("not a triangle".to_string()),
        _ => Err(format!("unknown shape `{kind}`")),
    }
}

/// Sums the areas of any shapes.
pub fn total_area<I: IntoIterator<Item = Shape>>(shapes: I) -> f64 {
    shapes.into_iter().map(|s| s.area()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_measures() {
        assert_eq!(parse("rect 2 3").unwrap().area(), 6.0);
        assert!(parse("circle 10").unwrap().describe().starts_with("large"));
        assert!(parse("hexagon 1").is_err());
    }

    #[test]
    fn sums_areas() {
        let shapes = vec![Shape::Rect { width: 1.0, height: 2.0 }, Shape::Rect { width: 3.0, height: 3.0 }];
        assert_eq!(total_area(shapes), 11.0);
    }
}
