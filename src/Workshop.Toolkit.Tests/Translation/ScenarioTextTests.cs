using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Workshop.Toolkit.Load;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Replay;
using Workshop.Toolkit.Repository;

namespace Workshop.Toolkit.Tests.Translation;

/// <summary>
/// Each replay scenario's Chinese words (what `workshop --lang zh-CN replay` and the live page show): the report's
/// title, a label for every row, metric and knob, and sentences that carry exactly the English ones' figures.
/// </summary>
public sealed partial class ScenarioTextTests
{
    public static TheoryData<string> Replayable() => new(Scenarios.Replayable().Select(l => l.Id));

    [Theory]
    [MemberData(nameof(Replayable))]
    public async Task Scenario_ChineseWords_LabelEveryRowMetricAndKnob(string lab)
    {
        // Arrange
        var scenario = await Scenarios.LoadAsync(lab);
        var info = Labs.Find(lab);

        // Act
        var chinese = scenario.Chinese;
        var keys = scenario.KeyRows.Select(r => r.Key).Concat(scenario.LabMetrics.Select(m => m.Key))
            .Concat(scenario.Live?.Knobs.Select(k => $"knob:{k.Name}") ?? [])
            .Concat(scenario.Live is null ? [] : ["live:load"])
            .Concat(scenario.Live?.OneAtATimeBecause is null ? [] : ["live:because"])
            .Where(k => k != scenario.Headline.Figure).Distinct().ToList();
        var heading = ChineseHeading().Match(File.ReadAllText(Path.Combine(info.Directory, "README.zh-CN.md")));

        // Assert
        chinese.Should().NotBeNull("lab {0}'s scenario has its Chinese words (LabScenario.Chinese)", lab);
        keys.Except(chinese!.Labels.Keys).Should().BeEmpty("lab {0} labels every key row, metric and knob in Chinese", lab);
        chinese.Labels.Values.Should().OnlyContain(v => Han().IsMatch(v), "lab {0}'s labels are Chinese", lab);
        chinese.Title.Should().Be(heading.Groups[1].Value.Trim(), "the title is the Chinese report's");
        Han().IsMatch(chinese.HeadlineLabel).Should().BeTrue("the headline's measure {0} is Chinese", chinese.HeadlineLabel);
    }

    [Theory]
    [MemberData(nameof(Replayable))]
    public async Task Scenario_ChineseSentences_CarryTheEnglishFiguresExactly(string lab)
    {
        // Arrange: two runs whose every figure is a different number, so a figure dropped, added or swapped shows.
        var scenario = await Scenarios.LoadAsync(lab);
        var chinese = scenario.Chinese!;
        var broken = Run("Broken", 17);
        var @fixed = Run("Fixed", 29);
        var headline = Headline.Of(scenario.Headline, broken.Figure(scenario.Headline.Figure), @fixed.Figure(scenario.Headline.Figure));

        // Act
        var pairs = new List<(string What, string English, string Chinese)>
        {
            ("sentence", scenario.Headline.Sentence(headline, broken, @fixed), chinese.Sentence(headline, broken, @fixed)),
            ("conditions at scale 1", scenario.Conditions(1), chinese.Conditions(1)),
            ("conditions at scale 0.5", scenario.Conditions(0.5), chinese.Conditions(0.5)),
        };
        if (scenario.Live is { } live)
        {
            pairs.Add(("live load", live.Load, chinese.Labels["live:load"]));
            if (live.OneAtATimeBecause is { } because) pairs.Add(("live because", because, chinese.Labels["live:because"]));
        }
        var different = pairs.Select(p => (p.What, English: Figures(p.English), Chinese: Figures(p.Chinese)))
            .Where(p => !p.English.SequenceEqual(p.Chinese))
            .Select(p => $"{p.What}: English {string.Join(" ", p.English)}; Chinese {string.Join(" ", p.Chinese)}").ToList();

        // Assert
        pairs.Should().OnlyContain(p => Han().IsMatch(p.Chinese), "lab {0}'s Chinese words are Chinese", lab);
        different.Should().BeEmpty("lab {0}'s Chinese words carry the English figures, no more and no fewer ({1})", lab, string.Join(" | ", different));
    }

    // Every figure a distinct number (from its key), both N0 and N1 visible; statuses of each kind.
    private static VariantRun Run(string variant, int seed)
    {
        var load = new LoadResult(1_000 + seed, 900 + seed, 0, 50.5 + seed, 3, 4, 5, 6, 7, 8, 4,
            new Dictionary<string, long> { ["200"] = 800 + seed, ["503"] = 60 + seed, ["timeout"] = 40 + seed, ["error"] = 3 }, TimeSpan.FromSeconds(10), []);
        return new VariantRun(variant, load, new EveryKey(seed), new Dictionary<string, IReadOnlyList<(double, double)>>(), new StopResult(0, true, TimeSpan.Zero, false));
    }

    private static List<string> Figures(string text) => [.. Number().Matches(text).Select(m => m.Value).Order(StringComparer.Ordinal)];

    /// <summary>A figure for any key: a number made of the key and the run, so two figures rarely print alike.</summary>
    private sealed class EveryKey(int seed) : IReadOnlyDictionary<string, double>
    {
        // A hash of its own: string.GetHashCode differs from one process to the next, and the test must not.
        private static double Value(string key, int seed) => 100 + (key.Aggregate(seed, (hash, c) => (hash * 31 + c) % 9_973)) % 9_000 + 0.25;

        public double this[string key] => Value(key, seed);

        public IEnumerable<string> Keys => [];

        public IEnumerable<double> Values => [];

        public int Count => 0;

        public bool ContainsKey(string key) => true;

        public bool TryGetValue(string key, [MaybeNullWhen(false)] out double value)
        {
            value = Value(key, seed);
            return true;
        }

        public IEnumerator<KeyValuePair<string, double>> GetEnumerator() => Enumerable.Empty<KeyValuePair<string, double>>().GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    [GeneratedRegex(@"^#\s+实验\s*\d+\s*[：:]\s*(.+)$", RegexOptions.Multiline)]
    private static partial Regex ChineseHeading();

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex Han();

    [GeneratedRegex(@"\d+(?:,\d{3})*(?:\.\d+)?")]
    private static partial Regex Number();
}
