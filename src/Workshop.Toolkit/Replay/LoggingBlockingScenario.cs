using System.Globalization;

namespace Workshop.Toolkit.Replay;

/// <summary>
/// Lab 01: the log disk takes 100 ms a write and 50 clients read orders back to back. Broken queues every
/// request behind its log lock; Fixed answers in milliseconds and counts the log events it had to drop.
/// </summary>
public sealed class LoggingBlockingScenario : LabScenario
{
    /// <summary>Stall of every log write, the incident's slow disk.</summary>
    public const int SinkDelayMs = 100;

    /// <summary>Concurrent clients.</summary>
    public const int Clients = 50;

    // Clients carry a bearer token of about 1 KB, as single-sign-on tokens do: the broken logs copy it into every line.
    private static readonly string Token = "Bearer " + new string('t', 1_000);

    /// <inheritdoc />
    public override string Lab => "01-logging-blocking";

    /// <inheritdoc />
    public override string Title => "The request log that stopped the service";

    /// <inheritdoc />
    public override string Symptom => "A slow log disk stalls every request behind one lock: p99 in seconds, health checks time out.";

    /// <inheritdoc />
    public override TimeSpan DefaultDuration => TimeSpan.FromSeconds(8);

    /// <inheritdoc />
    public override IReadOnlyList<string> LabMetrics => ["log_events_written_total", "log_queue_length", "log_events_dropped_total"];

    /// <inheritdoc />
    public override IReadOnlyList<string> ExtraVariants => ["NaiveFix"];

    /// <inheritdoc />
    public override HeadlineSpec Headline { get; } = new("p99_ms", Better.Lower, Floor: 1, h => string.Create(CultureInfo.InvariantCulture,
        $"With the log disk at {SinkDelayMs} ms a write and {Clients} clients, Broken's p99 is {h.Broken:N0} ms and Fixed's {h.Fixed:N1} ms: " +
        $"{h.Ratio:N0}x better, because no request waits for the disk any more."));

    /// <inheritdoc />
    public override Task<ScenarioContext> PrepareAsync(string variant, CancellationToken ct)
    {
        var settings = new Dictionary<string, string> { ["Lab:LogSinkDelayMs"] = SinkDelayMs.ToString(CultureInfo.InvariantCulture) };
        var context = new ScenarioContext(settings);
        settings["Lab:LogDirectory"] = context.TempDirectory($"lab01-{variant.ToLowerInvariant()}");
        return Task.FromResult(context);
    }

    /// <inheritdoc />
    public override async Task<LoadResult> DriveAsync(LabService service, TimeSpan duration, IProgress<LoadProgress>? progress, CancellationToken ct)
    {
        using var client = service.CreateClient();
        return await LoadDriver.RunClosedLoopAsync(client, i => new HttpRequestMessage(HttpMethod.Get, $"/api/orders/{1 + i % 100}")
            {
                Headers = { { "Authorization", Token } },
            },
            Clients, duration, new LoadSettings { RequestTimeout = TimeSpan.FromSeconds(10) }, progress, ct).ConfigureAwait(false);
    }
}
