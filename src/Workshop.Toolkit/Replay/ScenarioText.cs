namespace Workshop.Toolkit.Replay;

/// <summary>
/// A scenario's own words in another language (the workshop's Chinese edition): what the CLI and the live page show
/// of a lab in that language. The figures are the same run's; only the words around them change, so a sentence must
/// carry exactly the figures its English one does (a test holds every lab to that).
/// </summary>
/// <param name="Title">The incident, as the lab's report in that language titles it.</param>
/// <param name="Conditions">The load and the incident's settings at a scale, as <see cref="LabScenario.Conditions"/>.</param>
/// <param name="HeadlineLabel">The headline's measure, as <see cref="HeadlineSpec.Label"/>.</param>
/// <param name="Sentence">What the numbers mean and what the fix costs, as <see cref="HeadlineSpec.Sentence"/>.</param>
/// <param name="Labels">
/// The labels of the lab's key rows and metrics by key (as <see cref="FigureRow.Key"/> and <see cref="LabMetric.Key"/>),
/// and of its live mode: <c>live:load</c>, <c>live:because</c>, <c>knob:NAME</c> and <c>knob:NAME=VALUE</c>.
/// </param>
public sealed record ScenarioText(
    string Title,
    Func<double, string> Conditions,
    string HeadlineLabel,
    Func<Headline, VariantRun, VariantRun, string> Sentence,
    IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>"至少 128x" or "20.4x": <see cref="Headline.RatioText"/> in Chinese, the same figure.</summary>
    public static string ChineseRatio(Headline headline)
    {
        ArgumentNullException.ThrowIfNull(headline);
        return headline.AtLeast ? "至少 " + headline.RatioText["at least ".Length..] : headline.RatioText;
    }
}
