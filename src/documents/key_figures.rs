//! Nøgletal: a year's key figures with tables and charts. Numbers are written the Danish way
//! and chart scales are chosen here, so that the template only draws.

use serde_json::{Value, json};

use super::attachments::Attachment;
use super::catalogue::{Collected, MeetingPapers};
use super::common::{meta, opt_markup};
use super::{Document, DocumentKind, Kind};
use crate::plan::Plan;
use crate::plan::load::KeyFigures;
use crate::plan::model::{AttachmentSource, ChartKind};
use crate::text::danish_number;

pub(super) struct Papers;

impl Kind for Papers {
    fn of_plan(&self, plan: &Plan, out: &mut Collected) {
        // A year's figures stand on their own once they are published, as of the plan's date.
        let today = plan.settings.plan.date.get_ref().0;
        for key_figures in plan
            .key_figures
            .iter()
            .filter(|k| k.data.date.get_ref().0 <= today)
        {
            out.push(Document::new(
                DocumentKind::KeyFigures,
                None,
                format!(
                    "noegletal/noegletal-{}.pdf",
                    key_figures.data.year.get_ref()
                ),
                title(plan, key_figures),
                view(plan, key_figures),
            ).public(true));
        }
    }

    fn attached(&self, m: &MeetingPapers, attachment: &Attachment) -> Option<Document> {
        let AttachmentSource::KeyFigures { year } = &attachment.source else {
            return None;
        };
        let key_figures = m.plan.key_figures_for(*year.get_ref())?;
        let view = view(m.plan, key_figures);
        Some(attachment.document(m, DocumentKind::KeyFigures, view))
    }
}

fn title(plan: &Plan, key_figures: &KeyFigures) -> String {
    format!(
        "{} – {}",
        key_figures.data.title, plan.settings.committee.name
    )
}

fn view(plan: &Plan, key_figures: &KeyFigures) -> Value {
    let data = &key_figures.data;
    let title = title(plan, key_figures);
    let figures: Vec<Value> = data
        .figures
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let max = f
                .series
                .iter()
                .flat_map(|s| s.values.get_ref())
                .fold(0.0_f64, |m, v| m.max(*v));
            let (top, step) = nice_scale(max);
            let ticks: Vec<Value> = (0..)
                .map(|n| f64::from(n) * step)
                .take_while(|t| *t <= top + step / 2.0)
                .map(|t| json!({"value": t, "ratio": if top > 0.0 { t / top } else { 0.0 }, "label": danish_number(t)}))
                .collect();
            // The chart in words, for the PDF's alt text: what it shows and every value.
            let kind = match f.chart {
                ChartKind::Bar => "Søjlediagram",
                ChartKind::Line => "Kurvediagram",
                ChartKind::Table => "Tabel",
            };
            let series: Vec<String> = f
                .series
                .iter()
                .map(|s| {
                    let values: Vec<String> = f
                        .years
                        .get_ref()
                        .iter()
                        .zip(s.values.get_ref())
                        .map(|(y, v)| format!("{y}: {}", danish_number(*v)))
                        .collect();
                    format!("{}: {}", s.label, values.join(", "))
                })
                .collect();
            let alt = format!("{kind}: {} ({}). {}.", f.title, f.unit, series.join(". "));
            json!({
                "number": i + 1,
                "alt": alt,
                "title": f.title,
                "unit": f.unit,
                "chart": match f.chart { ChartKind::Bar => "bar", ChartKind::Line => "line", ChartKind::Table => "table" },
                "source": f.source,
                "example": f.example,
                "note": opt_markup(&f.note),
                "years": f.years.get_ref(),
                "top": top,
                "ticks": ticks,
                "series": f.series.iter().map(|s| json!({
                    "label": s.label,
                    "values": s.values.get_ref(),
                    "ratios": s.values.get_ref().iter().map(|v| if top > 0.0 { v / top } else { 0.0 }).collect::<Vec<_>>(),
                    "labels": s.values.get_ref().iter().map(|v| danish_number(*v)).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "meta": meta(plan, &title, "Nøgletal", data.date.get_ref().0, None),
        "title": data.title,
        "year": data.year.get_ref(),
        "intro": opt_markup(&data.intro),
        "figures": figures,
        "any_example": data.figures.iter().any(|f| f.example),
    })
}

/// An axis from 0 to a round number at or above `max`, with 4-6 round steps.
fn nice_scale(max: f64) -> (f64, f64) {
    if max <= 0.0 {
        return (1.0, 0.25);
    }
    let rough = max / 5.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * magnitude);
    ((max / step).ceil() * step, step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_end_on_round_numbers() {
        assert_eq!(nice_scale(87.0), (100.0, 20.0));
        assert_eq!(nice_scale(4.2), (5.0, 1.0));
        assert_eq!(nice_scale(230.0), (250.0, 50.0));
        assert_eq!(nice_scale(0.0), (1.0, 0.25));
    }
}
