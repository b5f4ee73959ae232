//! The gradebook as CSV: a row per learner; per item its latest and best score, whether passed,
//! whether completed, and the override with its comment.

use super::{Item, Row};

fn number(n: Option<f64>) -> String {
    n.map(|v| format!("{:.1}", v)).unwrap_or_default()
}

fn flag(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    }
}

/// The header and `rows` as CSV (RFC 4180).
pub fn write(items: &[Item], rows: &[Row]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["learner".to_owned(), "email".to_owned()];
    for item in items {
        for what in [
            "latest",
            "best",
            "passed",
            "completed",
            "override",
            "comment",
        ] {
            header.push(format!("{} ({what})", item.title));
        }
    }
    w.write_record(&header)?;
    for row in rows {
        let mut record = vec![row.name.clone(), row.email.clone()];
        for cell in &row.cells {
            record.push(number(cell.latest));
            record.push(number(cell.best));
            record.push(flag(cell.passed).to_owned());
            record.push(flag(Some(cell.completed)).to_owned());
            record.push(number(cell.overridden.as_ref().map(|o| o.score)));
            record.push(
                cell.overridden
                    .as_ref()
                    .map(|o| o.comment.clone())
                    .unwrap_or_default(),
            );
        }
        w.write_record(&record)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}
