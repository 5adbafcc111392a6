using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Workshop.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Lab02.Tests;

/// <summary>
/// What a report request registers on the application's long-lived stopping token must be gone when the request
/// is: the token's callbacks do not grow with traffic, and a shutdown has nothing to say about reports long sent.
/// </summary>
public sealed class ReportSpec(ITestOutputHelper output)
{
    private const string StoppingCallbacks = "app_stopping_callbacks";

    [Incident("broken")]
    public async Task StoppingToken_AfterRequestsEnd_HoldsNoCallbacksForThem(LabTarget target)
    {
        // Arrange
        const int requests = 1_000, inFlight = 8;
        await using var app = target.Start(("Lab:ReportSizeKb", "4"));
        using var client = app.CreateClient();
        await Reports.SendAsync(client, 10);
        var before = await ServiceMetrics.ReadAsync(client, StoppingCallbacks);

        // Act: 1,000 reports, 8 at a time; every one of them has finished when the figure is read again.
        await Reports.SendAsync(client, requests, inFlight);
        var after = await ServiceMetrics.ReadAsync(client, StoppingCallbacks);
        output.WriteLine($"{StoppingCallbacks}: {before} before, {after} after {requests:N0} requests");

        // Assert
        before.Should().NotBeNull("/metrics reports {0}, the callbacks on the application-stopping token", StoppingCallbacks);
        var grown = after!.Value - before!.Value;
        Symptom.AtMost(grown, inFlight,
            $"after {requests:N0} finished requests the application-stopping token holds {after:N0} callbacks ({before:N0} before): {grown / requests:N1} left behind " +
            $"by every request; expected at most {inFlight} more, a request's callbacks going when it does.");
    }

    [Incident("broken", "half-fix")]
    public async Task StoppingToken_AfterRequestsTheClientsGaveUpOn_HoldsNoCallbacksForThem(LabTarget target)
    {
        // Arrange: every report's warehouse query waits on the test's clock, which never moves, so a render is in
        // progress until its client gives up.
        const int requests = 200, warmUp = 10;
        var clock = new StalledClock(TimeSpan.FromMilliseconds(123_457), passFirst: warmUp);
        await using var app = target.Start(builder => builder.ConfigureServices(s => s.AddSingleton<TimeProvider>(clock)),
            ("Lab:ReportSizeKb", "4"), ("Lab:QueryDelayMs", "123457"));
        using var client = app.CreateClient();
        await Reports.SendAsync(client, warmUp); // their queries answer at once
        var before = await ServiceMetrics.ReadAsync(client, StoppingCallbacks);

        // Act: 200 reports, all rendering, then every client gives up; the figure is read once the service has
        // unwound them all.
        using var giveUp = new CancellationTokenSource();
        var sent = Enumerable.Range(warmUp + 1, requests).Select(i => client.GetAsync(new Uri($"/api/reports/{i}", UriKind.Relative), giveUp.Token)).ToList();
        await clock.StalledAsync(requests).WaitAsync(TimeSpan.FromSeconds(30));
        await giveUp.CancelAsync();
        var abandoned = 0;
        foreach (var request in sent)
        {
            try { (await request).Dispose(); }
            catch (OperationCanceledException) { abandoned++; }
        }
        var idle = await app.IdleAsync(TimeSpan.FromSeconds(10));
        var after = await ServiceMetrics.ReadAsync(client, StoppingCallbacks);
        output.WriteLine($"{StoppingCallbacks}: {before} before, {after} after {abandoned} of {requests} requests were given up on");

        // Assert
        before.Should().NotBeNull("/metrics reports {0}, the callbacks on the application-stopping token", StoppingCallbacks);
        idle.Should().BeTrue("every request a client gave up on should leave the service within 10 s");
        var grown = after!.Value - before!.Value;
        Symptom.AtMost(grown, 0,
            $"after {requests:N0} requests whose clients gave up mid-render the application-stopping token holds {after:N0} callbacks ({before:N0} before): " +
            $"{grown / requests:N1} left behind by every one; expected none, a request's callbacks going when it does, however it ends.");
    }

    [Incident("broken")]
    public async Task Shutdown_AfterReportsWereSent_AuditsNoneAsInterrupted(LabTarget target)
    {
        // Arrange: the service's own log events, captured.
        const int requests = 300;
        var log = new CapturedLog();
        var app = target.Start(builder => builder.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(log)), ("Lab:ReportSizeKb", "4"));
        await using (app)
        {
            using var client = app.CreateClient();
            await Reports.SendAsync(client, requests);
        }
        // Act: disposing the app stopped it: the application-stopping token fired with no request in progress.

        // Assert
        var sent = log.Count("Sent");
        var interrupted = log.Count("Interrupted");
        output.WriteLine($"audit: {sent} sent, {interrupted} interrupted; first interrupted: {log.First("Interrupted") ?? "none"}");
        sent.Should().Be(requests, "every report sent is audited");
        Symptom.Absent(interrupted == 0,
            $"no report was in progress when the service stopped, yet the shutdown audited {interrupted:N0} of the {requests:N0} reports sent earlier as interrupted " +
            $"(\"{log.First("Interrupted")}\"); expected none.");
    }

    [Guard("deletes-the-feature")]
    public async Task Shutdown_WhileAReportRenders_CancelsItAndAuditsItAsInterrupted(LabTarget target)
    {
        // Arrange: the report's warehouse query waits on the test's clock, which never moves: the render is in
        // progress for as long as the test wants, and the test knows when it has started.
        var log = new CapturedLog();
        // A wait no other timer of the host has (its shutdown and health-check timeouts are 30 s), so only the query stalls.
        var clock = new StalledClock(TimeSpan.FromMilliseconds(123_457));
        var app = target.Start(builder => builder.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(log).AddSingleton<TimeProvider>(clock)),
            ("Lab:ReportSizeKb", "4"), ("Lab:QueryDelayMs", "123457"));
        // The client outlives the app: disposing it first would abort the request, and a render the client gave up
        // on is not one a shutdown interrupted.
        using var client = app.CreateClient();
        Task<HttpResponseMessage> request;
        await using (app)
        {
            request = client.GetAsync("/api/reports/42");
            await clock.StalledAsync().WaitAsync(TimeSpan.FromSeconds(10));

            // Act: the service stops while report 42 is rendering.
        }
        var outcome = await Task.WhenAny(request, Task.Delay(TimeSpan.FromSeconds(10)));

        // Assert: the feature the fix must keep. A shutdown stops the render and leaves a trace of it.
        output.WriteLine($"audit: {log.Count("Sent")} sent, {log.Count("Interrupted")} interrupted: {log.First("Interrupted") ?? "none"}");
        log.Count("Interrupted").Should().Be(1, "report 42 was rendering when the service stopped, so the audit trail says it was interrupted");
        log.First("Interrupted").Should().Contain("42");
        log.Count("Sent").Should().Be(0, "the interrupted report was never sent");
        outcome.Should().BeSameAs(request, "the render is cancelled by the shutdown rather than left waiting on its query");
    }

    [Guard]
    public async Task Report_Requested_IsTheSameCsvOfTheConfiguredSize(LabTarget target)
    {
        // Arrange
        await using var app = target.Start(("Lab:ReportSizeKb", "16"));
        using var client = app.CreateClient();

        // Act
        using var first = await client.GetAsync("/api/reports/7");
        var body = await first.Content.ReadAsByteArrayAsync();
        var again = await client.GetByteArrayAsync("/api/reports/7");
        var page = await client.GetFromJsonAsync<JsonElement>("/api/reports?offset=5&limit=3");

        // Assert
        first.StatusCode.Should().Be(HttpStatusCode.OK);
        first.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
        first.Content.Headers.ContentDisposition!.FileName.Should().Be("report-7.csv");
        body.Length.Should().BeInRange(16 * 1024, 16 * 1024 + 256, "a report is Lab:ReportSizeKb KB of CSV");
        Encoding.UTF8.GetString(body).Should().StartWith("order,date,region,product,units,unit_price,revenue\n");
        again.Should().Equal(body, "a report renders the same rows every time");
        page.GetProperty("total").GetInt32().Should().Be(500);
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt32()).Should().Equal(6, 7, 8);
    }

    [Guard]
    public async Task Reports_BadInput_GetProblemDetails(LabTarget target)
    {
        // Arrange
        await using var app = target.Start(("Lab:ReportSizeKb", "4"));
        using var client = app.CreateClient();

        // Act and assert
        foreach (var (path, status) in new[]
                 {
                     ("/api/reports/abc", 404), ("/api/reports/0", 404), ("/api/reports/501", 404), ("/api/reports/99999999999", 404),
                     ("/api/reports?limit=0", 400), ("/api/reports?limit=1000", 400), ("/api/reports?offset=-1", 400), ("/api/reports?limit=abc", 400),
                 })
        {
            using var response = await client.GetAsync(path);
            ((int)response.StatusCode).Should().Be(status, "GET {0}", path);
            response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json", "GET {0} answers ProblemDetails", path);
        }
    }

    [Guard]
    public void Knobs_OutOfRange_StopTheServiceAtStartup(LabTarget target)
    {
        // Arrange, act
        var start = () => target.Start(("Lab:ReportSizeKb", "0"));

        // Assert: a report size of 0 KB is a configuration mistake, reported before the first request.
        start.Should().Throw<Exception>().Which.ToString().Should().Contain("ReportSizeKb");
    }

    /// <summary>The service's log events, by event name (the [LoggerMessage] method's name).</summary>
    private sealed class CapturedLog : ILoggerProvider
    {
        private readonly ConcurrentQueue<(string Event, string Message)> _events = new();

        public int Count(string eventName) => _events.Count(e => e.Event == eventName);

        public string? First(string eventName) => _events.FirstOrDefault(e => e.Event == eventName).Message;

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose() { }

        private sealed class Logger(CapturedLog log) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (eventId.Name is { } name) log._events.Enqueue((name, formatter(state, exception)));
            }
        }
    }
}
