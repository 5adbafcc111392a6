using Workshop.Cli.Localization;
using Workshop.Toolkit.Replay;

namespace Workshop.Cli.Replay;

/// <summary>
/// What the CLI and the live page say of one lab's replay, in the current language: in Chinese the scenario's own
/// Chinese words (<see cref="LabScenario.Chinese"/>) and the common rows' labels from the CLI's resources; in English,
/// and for a lab with no Chinese words yet, the scenario's English exactly as the replay recorded it.
/// </summary>
internal sealed class ScenarioWords
{
    private readonly LabScenario _scenario;
    private readonly ScenarioText? _text;
    private readonly bool _chinese;

    public ScenarioWords(LabScenario scenario)
    {
        _scenario = scenario;
        _chinese = Language.IsChinese();
        _text = _chinese ? scenario.Chinese : null;
    }

    public string Title => _text?.Title ?? _scenario.Title;

    public string Conditions(double scale) => _text?.Conditions(scale) ?? _scenario.Conditions(scale);

    /// <summary>The table's caption: the run's own conditions in English.</summary>
    public string Conditions(ReplayResult result, double scale) => _text?.Conditions(scale) ?? result.Conditions;

    public string HeadlineLabel(Headline headline) => _text?.HeadlineLabel ?? headline.Label;

    public string HeadlineLabel(HeadlineSpec headline) => _text?.HeadlineLabel ?? headline.Label;

    public string Sentence(ReplayResult result) => _text?.Sentence(result.Headline, result.Broken, result.Fixed) ?? result.Sentence;

    /// <summary>"at least 200x" or, in Chinese, "至少 200x": the same figure.</summary>
    public string RatioText(Headline headline) => _chinese ? ScenarioText.ChineseRatio(headline) : headline.RatioText;

    /// <summary>A row's or a metric's label: the lab's own word for it, else the common one, else the English.</summary>
    public string Label(string key, string english) =>
        !_chinese ? english
        : _text is not null && _text.Labels.TryGetValue(key, out var own) ? own
        : Texts.Find("Row." + key) ?? english;

    /// <summary>A live-mode text (<c>live:load</c>, <c>knob:NAME</c> ...) in the current language, else the English.</summary>
    public string Live(string key, string english) => _text is not null && _text.Labels.TryGetValue(key, out var own) ? own : english;

    /// <summary>Chinese text broken between characters to <paramref name="width"/> cells (Spectre breaks only at spaces); English as it is.</summary>
    public string Wrap(string text, int width) => _chinese ? CjkWrap.Lines(text, Math.Max(20, width)) : text;

    /// <summary>The replay's table rows, as <see cref="ReplayArtifacts.Rows"/> gives them, with their labels in the current language.</summary>
    public IReadOnlyList<(string Label, string Broken, string Fixed)> Rows(ReplayResult result)
    {
        var rows = ReplayArtifacts.Rows(result);
        if (!_chinese) return rows;
        // Rows gives the headline's row, then result.Rows in order, then the outcomes by status.
        return [.. rows.Select((row, i) => (
            i == 0 ? HeadlineLabel(result.Headline)
            : i <= result.Rows.Count ? Label(result.Rows[i - 1].Key, row.Label)
            : Texts.Get("Row.outcomes"),
            row.Broken, row.Fixed))];
    }

    /// <summary>The notes on unusual outcomes (timeouts, shed requests), in the current language.</summary>
    public IReadOnlyList<string> Notes(ReplayResult result) =>
        [.. ReplayArtifacts.Notes(result).Select(note => _chinese && Texts.Find("Note." + note.Split(':')[0]) is { } chinese ? chinese : note)];
}
