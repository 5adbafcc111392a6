using System.Globalization;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Workshop.Cli.BrowserTests;

/// <summary>
/// `./workshop replay 01 --live` watched in headless Chromium: the page draws both variants while they run, ends on
/// the figures `--json` prints for the same run, and goes with the replay, its services and its server.
/// </summary>
public sealed class LiveReplayPageTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] Variants = ["Broken", "Fixed"];
    private readonly string _scratch = Directory.CreateTempSubdirectory("live-replay-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task LiveReplay_Lab01_DrawsBothVariantsWhileTheyRunAndEndsOnTheJsonFigures()
    {
        // Arrange: the browser first, so the page opens as soon as the replay prints its address.
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 900 } });
        using var replay = LiveReplayProcess.Start("replay", "01", "--live", "--no-browser", "--json", "--out", Path.Combine(_scratch, "replay"));
        var address = await replay.AddressAsync(TimeSpan.FromMinutes(5));

        // Act: watch Broken run, then Fixed.
        await page.GotoAsync(address.ToString());
        await WaitAsync(page, "samples('Broken') >= 1", "Broken's first load sample");
        var brokenFirst = await TilesAsync(page, "Broken");
        await WaitAsync(page, $"tiles('Broken') !== {Js(brokenFirst)}", "a change in Broken's figures while its load runs");
        await WaitAsync(page, "samples('Fixed') >= 1", "Fixed's first load sample");
        var fixedFirst = await ValueAsync(page, "Fixed", "completed");
        await WaitAsync(page, $"samples('Fixed') >= 3 && Number(value('Fixed', 'completed')) > {fixedFirst.ToString(CultureInfo.InvariantCulture)}",
            "Fixed's requests answered to grow while its load runs");
        var midRun = await ScreenshotAsync(page, "live-01-mid-run.png");
        await WaitAsync(page, "document.body.dataset.state === 'ended'", "the replay's end", TimeSpan.FromMinutes(3));
        var ended = await ScreenshotAsync(page, "live-01-ended.png");
        var exit = await replay.ExitAsync(TimeSpan.FromMinutes(1));
        output.WriteLine($"screenshots: {midRun}, {ended}\n--- stderr\n{replay.Err}");

        // Assert: the page's final figures are the JSON's, for the same run.
        exit.Should().Be(0, "the replay finished");
        var json = JsonNode.Parse(replay.Out)!;
        foreach (var variant in Variants)
        {
            foreach (var figure in new[] { "completed", "throughput_rps", "p99_ms", "errors", "thread_pool_queue_peak" })
            {
                var expected = json[variant.ToLowerInvariant()]![figure]!.GetValue<double>();
                (await FigureAsync(page, variant, figure)).Should().Be(expected, "the page shows {0}'s {1} as `replay --json` printed it", variant, figure);
            }
        }
        foreach (var part in new[] { "broken", "fixed", "ratio" })
        {
            var shown = await page.GetAttributeAsync($"#headline [data-role=\"{part}\"]", "data-value");
            double.Parse(shown!, CultureInfo.InvariantCulture).Should().Be(json["headline"]![part]!.GetValue<double>(), "the headline's {0} is the JSON's", part);
        }
        (await page.TextContentAsync("#headline [data-role=\"sentence\"]")).Should().Be(json["sentence"]!.GetValue<string>());
        await AssertNothingLeftAsync(page, address);
    }

    [Fact]
    public async Task LiveReplay_InChinese_LabelsThePageInChineseAroundTheSameFigures()
    {
        // Arrange
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 900 } });
        using var replay = LiveReplayProcess.Start("--lang", "zh-CN", "replay", "01", "--live", "--no-browser", "--json", "--out", Path.Combine(_scratch, "replay"));
        var address = await replay.AddressAsync(TimeSpan.FromMinutes(5));

        // Act
        await page.GotoAsync(address.ToString());
        await WaitAsync(page, "document.body.dataset.state === 'ended'", "the replay's end", TimeSpan.FromMinutes(4));
        var screenshot = await ScreenshotAsync(page, "live-01-zh-CN.png");
        var exit = await replay.ExitAsync(TimeSpan.FromMinutes(1));
        output.WriteLine($"screenshot: {screenshot}\n--- stderr\n{replay.Err}");

        // Assert: Chinese words, the figures of the same run's JSON.
        exit.Should().Be(0, "the replay finished");
        (await page.GetAttributeAsync("html", "lang")).Should().Be("zh-CN");
        (await page.TextContentAsync("#lab")).Should().Contain("拖垮服务的请求日志", "the lab's title is its Chinese report's");
        (await page.TextContentAsync(".variant[data-variant=\"Broken\"] [data-tile=\"completed\"] .label")).Should().Be("已应答请求");
        (await page.TextContentAsync("#headline .measure")).Should().Contain("比 Broken 好").And.NotContain("better");
        (await page.TextContentAsync("#status")).Should().Be("回放已完成");
        replay.Err.Should().Contain("实时页面：").And.Contain("正在回放 01-logging-blocking");
        var json = JsonNode.Parse(replay.Out)!;
        var ratio = await page.GetAttributeAsync("#headline [data-role=\"ratio\"]", "data-value");
        double.Parse(ratio!, CultureInfo.InvariantCulture).Should().Be(json["headline"]!["ratio"]!.GetValue<double>(), "the figures are the same in both languages");
        (await FigureAsync(page, "Fixed", "completed")).Should().Be(json["fixed"]!["completed"]!.GetValue<double>());
    }

    [Fact]
    public async Task LiveReplay_StopButtonDuringBrokensLoad_StopsTheReplayItsServicesAndThePage()
    {
        // Arrange: twice the load, so that Broken is still running when the button is pressed.
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync();
        using var replay = LiveReplayProcess.Start("replay", "01", "--live", "--no-browser", "--scale", "2");
        var address = await replay.AddressAsync(TimeSpan.FromMinutes(5));
        await page.GotoAsync(address.ToString());
        await WaitAsync(page, "samples('Broken') >= 1", "Broken's first load sample");

        // Act
        await page.ClickAsync("#stop");
        var exit = await replay.ExitAsync(TimeSpan.FromMinutes(1));
        output.WriteLine(replay.Err);

        // Assert
        exit.Should().Be(130, "a replay stopped from its page ends as one stopped by Ctrl+C");
        replay.Err.Should().Contain("stopped from the live page");
        await WaitAsync(page, "['ended', 'gone'].includes(document.body.dataset.state)", "the page to say the replay ended");
        (await page.TextContentAsync("#status")).Should().ContainAny("stopped", "ended");
        (await page.GetAttributeAsync(".variant[data-variant=\"Fixed\"]", "data-pid")).Should().BeNull("Fixed never started");
        await AssertNothingLeftAsync(page, address);
    }

    // Every service the page saw is gone, and so is the page's server.
    private static async Task AssertNothingLeftAsync(IPage page, Uri address)
    {
        foreach (var variant in Variants)
        {
            var pid = await page.GetAttributeAsync($".variant[data-variant=\"{variant}\"]", "data-pid");
            if (pid is null) continue;
            LiveReplayProcess.IsRunning(int.Parse(pid, CultureInfo.InvariantCulture)).Should().BeFalse("{0}'s service (pid {1}) stops with the replay", variant, pid);
        }
        using var client = new TcpClient();
        var connect = async () => await client.ConnectAsync("127.0.0.1", address.Port);
        await connect.Should().ThrowAsync<SocketException>("the live page's server on port {0} stops with the replay", address.Port);
    }

    // Helpers the page's state is read with: how many samples a variant has, a tile's raw value, all of a variant's tiles.
    private const string Helpers = """
        const panel = v => document.querySelector(`.variant[data-variant="${v}"]`);
        const samples = v => Number(panel(v)?.dataset.samples ?? 0);
        const value = (v, tile) => panel(v)?.querySelector(`[data-tile="${tile}"] .value`)?.dataset.value ?? '';
        const tiles = v => [...(panel(v)?.querySelectorAll('.tile .value') ?? [])].map(e => e.dataset.value ?? '').join('|');
        """;

    private static async Task WaitAsync(IPage page, string condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromMinutes(2);
        try
        {
            await page.WaitForFunctionAsync($"() => {{ {Helpers} return {condition}; }}", null,
                new PageWaitForFunctionOptions { Timeout = (float)limit.TotalMilliseconds, PollingInterval = 100 });
        }
        catch (TimeoutException)
        {
            var body = await page.InnerTextAsync("body");
            throw new TimeoutException($"The live page did not show {what} within {limit.TotalSeconds:0} s ({condition}); it showed: {body}");
        }
    }

    private static Task<string> TilesAsync(IPage page, string variant) =>
        page.EvaluateAsync<string>($"() => {{ {Helpers} return tiles({Js(variant)}); }}");

    private static async Task<double> ValueAsync(IPage page, string variant, string tile)
    {
        var text = await page.EvaluateAsync<string>($"() => {{ {Helpers} return value({Js(variant)}, {Js(tile)}); }}");
        return double.Parse(text, CultureInfo.InvariantCulture);
    }

    private static async Task<double> FigureAsync(IPage page, string variant, string figure)
    {
        var text = await page.GetAttributeAsync($".variant[data-variant=\"{variant}\"] .value[data-figure=\"{figure}\"]", "data-value");
        text.Should().NotBeNullOrEmpty("{0}'s tiles show {1} once its run is over", variant, figure);
        return double.Parse(text!, CultureInfo.InvariantCulture);
    }

    private static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(LiveReplayProcess.Root, "artifacts", "browser-tests", name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        return path;
    }

    private static string Js(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}
