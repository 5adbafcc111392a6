using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Spectre.Console;
using Workshop.Cli.Infrastructure;
using Workshop.Cli.Localization;
using Workshop.Cli.Tests.Support;

namespace Workshop.Cli.Tests;

/// <summary>
/// The CLI in two languages: how the language is chosen, the resources of both (every key in both, the same
/// placeholders, valid markup), and the learner's verbs in Chinese, with English unchanged.
/// </summary>
public sealed partial class LocalizationTests : IDisposable
{
    private readonly ScratchRepo _repo = ScratchRepo.Empty();

    public void Dispose() => _repo.Dispose();

    private static readonly string Resources = Path.Combine(ScratchRepo.RealRoot, "src", "Workshop.Cli", "Localization");

    private static Dictionary<string, string> Resx(string file) =>
        XDocument.Load(Path.Combine(Resources, file)).Root!.Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => (string)d.Element("value")!, StringComparer.Ordinal);

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Theory]
    [InlineData(new[] { "--lang", "zh-CN", "list" }, "zh-CN")]
    [InlineData(new[] { "list", "--lang=zh_CN.UTF-8" }, "zh-CN")]
    [InlineData(new[] { "--lang", "en", "list" }, "en")]
    [InlineData(new[] { "list" }, "en")]
    public void Choose_LangOption_WinsAndLeavesTheVerbsArguments(string[] args, string expected)
    {
        // Arrange: the environment asks for the other language, which --lang overrides.
        var environment = Environment(("WORKSHOP_LANG", expected == "en" && args.Contains("--lang") ? "zh-CN" : "en"));

        // Act
        var (culture, rest) = Language.Choose(args, environment, CultureInfo.InvariantCulture);

        // Assert
        culture.Name.Should().Be(expected, "--lang, else WORKSHOP_LANG, chooses the language");
        rest.Should().Equal(["list"], "--lang and its value are the CLI's, not the verb's");
    }

    [Fact]
    public void Choose_NoOption_TakesWorkshopLangThenLcAllThenLang()
    {
        // Act
        var fromWorkshop = Language.Choose(["list"], Environment(("WORKSHOP_LANG", "zh-CN"), ("LANG", "en_US.UTF-8")), CultureInfo.InvariantCulture).Culture;
        var fromLcAll = Language.Choose(["list"], Environment(("LC_ALL", "zh_CN.UTF-8"), ("LANG", "en_US.UTF-8")), CultureInfo.InvariantCulture).Culture;
        var fromLang = Language.Choose(["list"], Environment(("LANG", "zh_CN.UTF-8")), CultureInfo.InvariantCulture).Culture;
        var unknown = Language.Choose(["list"], Environment(("LANG", "fr_FR.UTF-8")), CultureInfo.InvariantCulture).Culture;
        var posix = Language.Choose(["list"], Environment(("LANG", "C.UTF-8")), CultureInfo.InvariantCulture).Culture;

        // Assert
        new[] { fromWorkshop.Name, fromLcAll.Name, fromLang.Name, unknown.Name, posix.Name }.Should().Equal(
            ["zh-CN", "zh-CN", "zh-CN", "en", "en"], "WORKSHOP_LANG, then the POSIX locale variables, then English for a locale the workshop does not speak");
    }

    [Fact]
    public async Task Run_UnknownLanguage_FailsWithUsageAndNamesTheChoices()
    {
        // Act
        var run = await WorkshopCli.RunAsync(_repo.Root, _repo.State, ["--lang", "fr", "list"]);

        // Assert
        run.ExitCode.Should().Be(ExitCodes.Usage, run.ToString());
        run.Err.Should().Contain("--lang must be one of en, zh-CN, not 'fr'.");
    }

    [Fact]
    public void Resources_EveryKey_IsInBothLanguagesWithTheSamePlaceholders()
    {
        // Arrange
        var english = Resx("Strings.resx");
        var chinese = Resx("Strings.zh-CN.resx");

        // Act
        var onlyEnglish = english.Keys.Except(chinese.Keys).ToList();
        var onlyChinese = chinese.Keys.Except(english.Keys).ToList();
        var placeholders = english.Keys.Intersect(chinese.Keys)
            .Where(k => !Placeholders(english[k]).SetEquals(Placeholders(chinese[k])))
            .Select(k => $"{k}: {string.Join(" ", Placeholders(english[k]))} against {string.Join(" ", Placeholders(chinese[k]))}").ToList();

        // Assert
        english.Should().HaveCountGreaterThan(150, "the CLI's and the page's texts are all in the resources");
        onlyEnglish.Should().BeEmpty("every English text has a Chinese one (Strings.zh-CN.resx)");
        onlyChinese.Should().BeEmpty("every Chinese text has an English one (Strings.resx)");
        placeholders.Should().BeEmpty("a text fills the same figures in both languages");
    }

    [Fact]
    public void Resources_EveryCliText_IsValidMarkupInBothLanguages()
    {
        // Arrange: each text with its placeholders filled, rendered as Spectre renders it.
        var texts = Resx("Strings.resx").Concat(Resx("Strings.zh-CN.resx")).Where(t => !t.Key.StartsWith("Page.", StringComparison.Ordinal));
        var console = new Spectre.Console.Testing.TestConsole();
        var invalid = new List<string>();

        // Act
        foreach (var (key, value) in texts)
        {
            try
            {
                console.Write(new Markup(Placeholder().Replace(value, "1")));
            }
            catch (InvalidOperationException e)
            {
                invalid.Add($"{key}: {e.Message}");
            }
        }

        // Assert
        invalid.Should().BeEmpty("each text is printed as Spectre markup");
    }

    [Fact]
    public void LivePage_EveryWordItAsksFor_IsInBothLanguages()
    {
        // Arrange: the keys app.js passes to t() and index.html names in data-text, data-title and data-template.
        var wwwroot = Path.Combine(ScratchRepo.RealRoot, "src", "Workshop.Cli", "Live", "wwwroot");
        var script = File.ReadAllText(Path.Combine(wwwroot, "app.js"));
        var page = File.ReadAllText(Path.Combine(wwwroot, "index.html"));
        var asked = ScriptKey().Matches(script).Select(m => m.Groups[1].Value)
            .Concat(PageKey().Matches(page).Select(m => m.Groups[1].Value))
            .Concat(["Turn.starting", "Turn.load", "Turn.waiting", "Turn.stopping", "Turn.done", "Reason.finished", "Reason.stopped", "Reason.failed", "Phase.done",
                "AxisSession", "AxisLoad", "LiveSessionEnded", "ReplayEnded", "LowerBetter", "HigherBetter"])
            .Distinct().ToList();

        // Act
        var english = Live.PageText.Of(Language.English).Words;
        var chinese = Live.PageText.Of(Language.Chinese).Words;

        // Assert
        asked.Should().HaveCountGreaterThan(40, "the page's labels, tiles, captions and messages are all looked up");
        asked.Except(english.Keys).Should().BeEmpty("every word the page asks for has an English text (Page.* in Strings.resx)");
        asked.Except(chinese.Keys).Should().BeEmpty("every word the page asks for has a Chinese text");
        asked.Where(k => english[k] == chinese[k] && Regex.IsMatch(english[k], "[a-z]{3}")).Should().BeEmpty("a Chinese page shows Chinese words");
        english["Stop"].Should().Be("Stop replay", "English is the page as it was");
    }

    [Fact]
    public async Task ListHintCheck_InChinese_ReadTheChineseTwinsAndSpeakChinese()
    {
        // Arrange: a lab with a report and hints in both languages.
        var lab = _repo.AddShellLab("01-logging-blocking", "## Hint 1\n\nA nudge.\n\n## Hint 2\n\nMore.\n");
        ScratchRepo.Write(Path.Combine(lab, "README.md"), "# Lab 01: The request log that stopped the service\n\n## Summary\n\nA slow log disk stalls every request. More.\n");
        ScratchRepo.Write(Path.Combine(lab, "README.zh-CN.md"), "# 实验 01：拖垮服务的请求日志\n\n## 概要\n\n慢日志盘拖住了每个\n请求。后面还有。\n");
        ScratchRepo.Write(Path.Combine(lab, "hints.zh-CN.md"), "# 实验 01 提示\n\n## 提示 1\n\n先看那把锁。\n\n## 提示 2\n\n再看磁盘。\n");

        // Act
        var list = await WorkshopCli.RunAsync(_repo.Root, _repo.State, ["--lang", "zh-CN", "list"]);
        var hint = await WorkshopCli.RunAsync(_repo.Root, _repo.State, ["hint", "01"], environment: new Dictionary<string, string> { ["WORKSHOP_LANG"] = "zh-CN" });
        var check = await WorkshopCli.RunAsync(_repo.Root, _repo.State, ["check", "01", "--lang", "zh-CN"], new FakeSpecRunner(FakeSpecRunner.Red));

        // Assert
        list.Out.Should().Contain("事故实验").And.Contain("拖垮服务的请求日志").And.Contain("慢日志盘拖住了每个请求。", "a line break inside a Chinese sentence is no space")
            .And.NotContain("后面还有").And.Contain("尚未检查").And.NotContain("Incident labs", list.ToString());
        hint.Out.Should().Contain("提示 1 / 2").And.Contain("先看那把锁。").And.Contain("下一条：./workshop hint 01", hint.ToString());
        check.Out.Should().Contain("红").And.Contain("个失败").And.Contain("提示 1 / 2", check.ToString());
        check.ExitCode.Should().Be(ExitCodes.Failed, check.ToString());
    }

    [Fact]
    public async Task Hint_InChineseWithoutATwin_ShowsTheEnglishHints()
    {
        // Arrange: a lab added later, whose Chinese hints are not written yet.
        _repo.AddShellLab("42-imaginary-incident", "## Hint 1\n\nA nudge: look at the lock before the disk.\n");

        // Act
        var run = await WorkshopCli.RunAsync(_repo.Root, _repo.State, ["--lang", "zh-CN", "hint", "42"]);

        // Assert
        run.ExitCode.Should().Be(0, run.ToString());
        run.Out.Should().Contain("提示 1 / 1").And.Contain("A nudge: look at the lock");
    }

    [Fact]
    public async Task List_LangEnglish_IsByteForByteTheOutputWithoutLang()
    {
        // Arrange
        var lab = _repo.AddShellLab("01-logging-blocking", "## Hint 1\n\nA nudge: look at the lock before the disk.\n");
        ScratchRepo.Write(Path.Combine(lab, "README.md"), "# Lab 01: The request log that stopped the service\n\n## Summary\n\nA slow log disk stalls every request. More.\n");
        ScratchRepo.Write(Path.Combine(lab, "README.zh-CN.md"), "# 实验 01：拖垮服务的请求日志\n\n## 概要\n\n慢日志盘拖住了每个请求。\n");

        // Act
        var plain = await WorkshopCli.RunAsync(_repo.Root, _repo.State, ["list"]);
        var english = await WorkshopCli.RunAsync(_repo.Root, _repo.State, ["--lang", "en", "list"], environment: new Dictionary<string, string> { ["LANG"] = "zh_CN.UTF-8" });
        var hint = await WorkshopCli.RunAsync(_repo.Root, _repo.State, ["hint", "01", "--lang", "en"]);

        // Assert
        english.Out.Should().Be(plain.Out, "--lang en prints what the CLI printed before it spoke Chinese");
        plain.Out.Should().Contain("Incident labs").And.Contain("A slow log disk stalls every request.");
        hint.Out.Should().Contain("Hint 1 of 1").And.Contain("A nudge: look at the lock");
    }

    [Fact]
    public async Task Help_InChinese_DescribesEveryCommandAndOptionInChineseAndEnglishIsUnchanged()
    {
        // Act: help is built after the run has chosen its language.
        var chinese = await WorkshopCli.RunAsync(_repo.Root, _repo.State, ["--lang", "zh-CN", "--help"], width: 200);
        var chineseReplay = await WorkshopCli.RunAsync(_repo.Root, _repo.State, ["replay", "--help"], environment: new Dictionary<string, string> { ["WORKSHOP_LANG"] = "zh-CN" }, width: 200);
        var plain = await WorkshopCli.RunAsync(_repo.Root, _repo.State, ["replay", "--help"], width: 200);
        var english = await WorkshopCli.RunAsync(_repo.Root, _repo.State, ["--lang", "en", "replay", "--help"], environment: new Dictionary<string, string> { ["LANG"] = "zh_CN.UTF-8" }, width: 200);

        // Assert
        chinese.Out.Should().Contain("回放一个实验的事故").And.Contain("检查这台机器").And.NotContain("Replays a lab's incident", chinese.ToString());
        chineseReplay.Out.Should().Contain("把每个实验的负载").And.Contain("与 --live 一起用").And.NotContain("Multiplies each lab's load", chineseReplay.ToString());
        english.Out.Should().Be(plain.Out, "--lang en prints the help the CLI printed before it spoke Chinese");
        plain.Out.Should().Contain("Multiplies each lab's load, its requests or its duration");
    }

    [Fact]
    public void HelpTexts_EveryOptionAndArgument_HasAChineseDescriptionOfItsOwn()
    {
        // Arrange: every described option and argument of every command.
        var described = typeof(WorkshopApp).Assembly.GetTypes()
            .SelectMany(t => t.GetProperties())
            .Select(p => (Property: $"{p.DeclaringType!.Name}.{p.Name}", Attribute: p.GetCustomAttributes(typeof(System.ComponentModel.DescriptionAttribute), inherit: true).Cast<System.ComponentModel.DescriptionAttribute>().SingleOrDefault()))
            .Where(d => d.Attribute is not null)
            .ToList();

        // Act
        string Read(System.ComponentModel.DescriptionAttribute attribute, string culture)
        {
            var previous = CultureInfo.CurrentUICulture;
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
            try { return attribute.Description; }
            finally { CultureInfo.CurrentUICulture = previous; }
        }

        // Assert
        described.Should().HaveCountGreaterThan(20, "the commands describe their options");
        described.Where(d => d.Attribute is not TextDescriptionAttribute).Select(d => d.Property).Should().BeEmpty("every option's help comes from the resources, so it speaks both languages");
        described.Where(d => Read(d.Attribute!, "zh-CN") == Read(d.Attribute!, "en") || !Regex.IsMatch(Read(d.Attribute!, "zh-CN"), @"\p{IsCJKUnifiedIdeographs}"))
            .Select(d => d.Property).Should().BeEmpty("each option's Chinese help is written in Chinese");
    }

    [Fact]
    public void CjkWrap_LongChineseSentence_BreaksBetweenCharactersNeverBeforeClosingPunctuation()
    {
        // Arrange
        const string sentence = "一个订单 API 把每个请求都写进请求日志，日志放在一个单独的卷上。";

        // Act
        var lines = CjkWrap.Lines(sentence, 20).Split('\n');

        // Assert
        lines.Should().OnlyContain(l => l.GetCellWidth() <= 20, "no line is wider than the column");
        lines.Should().NotContain(l => "，。".Contains(l[0]), "closing punctuation stays at the end of its line");
        string.Concat(lines).Replace(" ", "", StringComparison.Ordinal).Should().Be(sentence.Replace(" ", "", StringComparison.Ordinal), "nothing is lost");
        lines.Should().Contain(l => l.Contains("API", StringComparison.Ordinal), "an English word is never cut");
    }

    private static HashSet<string> Placeholders(string text) => [.. Placeholder().Matches(text).Select(m => m.Value)];

    [GeneratedRegex(@"\{[a-z0-9]+(?::[^}]*)?\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\bt\(""([A-Za-z.]+)""")]
    private static partial Regex ScriptKey();

    [GeneratedRegex(@"data-(?:text|title|template)=""([A-Za-z.]+)""")]
    private static partial Regex PageKey();
}
