using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Workshop.Cli.BrowserTests;

/// <summary>
/// `./workshop live 01` in headless Chromium, as an instructor uses it: both variants calm under the same load, the log
/// disk switched to 100 ms on the page, Broken's answers collapse while Fixed's hold, the disk switched back and Broken
/// recovers, without a restart.
/// </summary>
public sealed class LiveSessionPageTests(ITestOutputHelper output)
{
    private static readonly string[] Variants = ["Broken", "Fixed"];

    [Fact]
    public async Task Live_Lab01DiskTo100msThenBack_BrokenCollapsesAndRecoversWhileFixedHolds()
    {
        // Arrange: the session up, both variants answering the steady load for a few seconds.
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
        using var live = LiveReplayProcess.Start("live", "01", "--no-browser", "--minutes", "10");
        var address = await live.AddressAsync(TimeSpan.FromMinutes(5));
        await page.GotoAsync(address.ToString());
        await WaitAsync(page, "rows('Broken') >= 6 && rows('Fixed') >= 6", "six seconds of both variants under load");
        var brokenBefore = await RateAsync(page, "Broken", 0, double.MaxValue, last: 3);
        var fixedBefore = await RateAsync(page, "Fixed", 0, double.MaxValue, last: 3);

        // Act: the disk to 100 ms a write, on the page.
        await page.ClickAsync(".knob[data-knob=\"LogSinkDelayMs\"] button[data-value=\"100\"]");
        await WaitAsync(page, "document.querySelector('.knob[data-knob=\"LogSinkDelayMs\"]').dataset.value === '100'", "the knob taken by both services");
        var slowedAt = await ChangeAtAsync(page, "100");
        await WaitAsync(page, $"lastT('Broken') >= {Js(slowedAt + 8)} && lastT('Fixed') >= {Js(slowedAt + 8)}", "eight seconds with the slow disk");
        var collapse = await FirstAtOrBelowAsync(page, "Broken", slowedAt, brokenBefore / 10);
        var fixedSlow = await RateAsync(page, "Fixed", slowedAt + 1, slowedAt + 8);
        var brokenSlow = await RateAsync(page, "Broken", slowedAt + 5, slowedAt + 8);
        var screenshot = Path.Combine(LiveReplayProcess.Root, "artifacts", "browser-tests", "live-01-disk-100ms.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot });

        // Act: and back to 0 ms.
        await page.ClickAsync(".knob[data-knob=\"LogSinkDelayMs\"] button[data-value=\"0\"]");
        await WaitAsync(page, "document.querySelector('.knob[data-knob=\"LogSinkDelayMs\"]').dataset.value === '0'", "the knob taken back by both services");
        var restoredAt = await ChangeAtAsync(page, "0");
        await WaitAsync(page, $"lastT('Broken') >= {Js(restoredAt + 12)}", "twelve seconds with the disk fast again");
        var brokenAfter = await RateAsync(page, "Broken", restoredAt + 8, restoredAt + 12);
        var taken = await page.TextContentAsync("#knobs [data-role=\"changes\"]");
        var pids = await Task.WhenAll(Variants.Select(v => page.GetAttributeAsync($".variant[data-variant=\"{v}\"]", "data-pid")));
        await page.ClickAsync("#stop");
        var exit = await live.ExitAsync(TimeSpan.FromMinutes(1));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"before: Broken {brokenBefore:N1}/s, Fixed {fixedBefore:N1}/s; disk 100 ms at {slowedAt:N1} s: Broken at most a tenth after {collapse - slowedAt:N1} s, " +
            $"{brokenSlow:N1}/s in seconds 5-8, Fixed {fixedSlow:N1}/s; disk 0 ms at {restoredAt:N1} s: Broken {brokenAfter:N1}/s in seconds 8-12.\n" +
            $"changes: {taken}\nscreenshot: {screenshot}\n--- stderr\n{live.Err}"));

        // Assert
        brokenBefore.Should().BeGreaterThan(100, "with the disk at 0 ms Broken answers the 200 requests a second it is sent");
        (collapse - slowedAt).Should().BeLessThanOrEqualTo(5, "Broken's answers per second fell to a tenth of {0:N1} only {1:N1} s after the disk slowed to 100 ms", brokenBefore, collapse - slowedAt);
        brokenSlow.Should().BeLessThanOrEqualTo(brokenBefore / 10, "Broken answered {0:N1}/s with a 100 ms disk, against {1:N1}/s before", brokenSlow, brokenBefore);
        fixedSlow.Should().BeInRange(fixedBefore * 0.8, fixedBefore * 1.2, "Fixed answered {0:N1}/s with a 100 ms disk, against {1:N1}/s before", fixedSlow, fixedBefore);
        brokenAfter.Should().BeGreaterThanOrEqualTo(brokenBefore * 0.8, "Broken answered {0:N1}/s once the disk was fast again, against {1:N1}/s before", brokenAfter, brokenBefore);
        exit.Should().Be(0, "a live session stopped from its page ends normally");
        foreach (var pid in pids)
        {
            pid.Should().NotBeNull();
            LiveReplayProcess.IsRunning(int.Parse(pid!, CultureInfo.InvariantCulture)).Should().BeFalse("service pid {0} stops with the session", pid);
        }
        using var client = new TcpClient();
        var connect = async () => await client.ConnectAsync("127.0.0.1", address.Port);
        await connect.Should().ThrowAsync<SocketException>("the page's server stops with the session");
    }

    // Reads of the page's own state (a top-level const of app.js): the samples it drew, by variant.
    private const string Helpers = """
        const rows = v => (state.points[v] ?? []).length;
        const lastT = v => { const p = state.points[v] ?? []; return p.length ? p[p.length - 1].t : 0; };
        """;

    // Answered per second between two times of the session (or over the last N samples): completed requests over time.
    private static async Task<double> RateAsync(IPage page, string variant, double from, double to, int last = 0)
    {
        var json = await page.EvaluateAsync<JsonElement>($$"""
            () => {
              let p = (state.points[{{Js(variant)}}] ?? []).filter(x => x.t >= {{Js(from)}} && x.t <= {{Js(Math.Min(to, 1e9))}});
              if ({{last}} > 0) p = p.slice(-({{last}} + 1));
              return p.length < 2 ? null : (p[p.length - 1].completed - p[0].completed) / (p[p.length - 1].t - p[0].t);
            }
            """);
        json.ValueKind.Should().Be(JsonValueKind.Number, "the page has at least two samples of {0} between {1:N1} s and {2:N1} s", variant, from, to);
        return json.GetDouble();
    }

    // The first second after `from` whose answered-per-second is at most `limit`.
    private static async Task<double> FirstAtOrBelowAsync(IPage page, string variant, double from, double limit)
    {
        var json = await page.EvaluateAsync<JsonElement>($$"""
            () => (state.points[{{Js(variant)}}] ?? []).find(x => x.t > {{Js(from)}} && x.perSecond !== null && x.perSecond <= {{Js(limit)}})?.t ?? null
            """);
        json.ValueKind.Should().Be(JsonValueKind.Number, "{0}'s answers per second fell to {1:N1} or below at some point after {2:N1} s", variant, limit, from);
        return json.GetDouble();
    }

    // When the session says a knob was set to `value` (the `knob` event's time, seconds since the session began).
    private static async Task<double> ChangeAtAsync(IPage page, string value)
    {
        var at = await page.GetAttributeAsync($"#knobs [data-role=\"changes\"] li[data-name=\"LogSinkDelayMs\"][data-value=\"{value}\"]", "data-at");
        at.Should().NotBeNull("the page lists the change of LogSinkDelayMs to {0}", value);
        return double.Parse(at!, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

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

    private static string Js(object value) => JsonSerializer.Serialize(value);
}
