using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using FluentAssertions;
using Lab06.Replay;
using Workshop.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Lab06.Tests;

/// <summary>
/// A missing user is an answer (404), not a crash a caller retries; one caller gets its share and no more (a token
/// bucket, 429 with Retry-After for the rest); and while one caller storms, the others keep their latency.
/// </summary>
public sealed class LookupSpec(ITestOutputHelper output)
{
    [Incident("broken")]
    public async Task User_Missing_Is404ProblemDetails(LabTarget target)
    {
        // Arrange: every tenth user was deleted.
        await using var app = target.Start(("Lab:WorkFactor", "1"));
        using var client = app.CreateClient();

        // Act
        using var response = await Get(client, "/api/users/10", "batch-job");
        var type = response.Content.Headers.ContentType?.MediaType;

        // Assert
        Symptom.Absent(response.StatusCode == HttpStatusCode.NotFound && type == "application/problem+json",
            $"GET /api/users/10, a user that does not exist, answered {(int)response.StatusCode} ({type}); expected 404 ProblemDetails, which a caller does not retry.");
    }

    [Incident("broken")]
    public async Task Flood_FromOneClient_AdmitsTheBurstAndAsksTheRestToRetryLater(LabTarget target)
    {
        // Arrange: 10 a second, bursts of 50; the lookups themselves nearly free, so only the limit can refuse.
        await using var app = target.Start(("Lab:TokensPerSecond", "10"), ("Lab:Burst", "50"), ("Lab:WorkFactor", "1"));
        using var client = app.CreateClient();

        // Act: 500 requests from one caller, all at once.
        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, 500).Select(async i =>
        {
            using var response = await Get(client, $"/api/users/{1 + i % 9}", "flood");
            return ((int)response.StatusCode, response.Headers.RetryAfter?.Delta);
        }));
        clock.Stop();
        var admitted = answers.Count(a => a.Item1 == 200);
        var limited = answers.Count(a => a.Item1 == 429);
        // What the bucket may let through: its burst, plus what it refilled while the flood lasted, plus one refill of slack.
        var bound = 50 + 10 * ((int)Math.Ceiling(clock.Elapsed.TotalSeconds) + 1);
        output.WriteLine($"{admitted} admitted, {limited} limited, others {500 - admitted - limited}, in {clock.Elapsed.TotalMilliseconds:N0} ms; bound {bound}");

        // Assert
        Symptom.AtMost(admitted, bound, string.Create(CultureInfo.InvariantCulture,
            $"500 requests at once from one caller got {admitted} answered 200 and {limited} answered 429 in {clock.Elapsed.TotalSeconds:0.0} s; expected at most {bound} through (a burst of 50 and 10 a second) and 429 for the rest."));
        answers.Where(a => a.Item1 == 429).Should().OnlyContain(a => a.Delta > TimeSpan.Zero, "every 429 says when to come back (Retry-After)");
        (admitted + limited).Should().Be(500, "a flood is answered 200 or 429, never 5xx");
    }

    [Incident("broken", "half-fix")]
    public async Task Storm_OfAJobWhoseUsersAreMissing_EndsWithTheJob(LabTarget target)
    {
        // Arrange: a batch job of 100 deleted users, 8 workers, retrying every 5xx at once; the limit high enough
        // not to slow it down.
        await using var app = target.Start(("Lab:TokensPerSecond", "10000"), ("Lab:Burst", "10000"), ("Lab:WorkFactor", "1"));
        using var client = app.CreateClient();
        var job = Enumerable.Range(1, 100).Select(i => $"/api/users/{i * 10}").ToList();

        // Act: stopped after 3 s if it has not finished, or once it has sent 750 requests (5x the bound: such a job
        // never ends on its own).
        var storm = await RetryStorm.RunAsync(client, "batch-job", job, workers: 8, TimeSpan.FromSeconds(3), maxSent: 750);
        output.WriteLine(storm.ToString());

        // Assert
        Symptom.Absent(storm.Finished && storm.Sent <= 150, string.Create(CultureInfo.InvariantCulture,
            $"a job of 100 missing users sent {storm.Sent:N0} requests in {storm.Elapsed.TotalSeconds:0.0} s ({storm.Retries:N0} immediate retries of 5xx answers) and " +
            $"{(storm.Finished ? "finished" : "never finished")}; expected about 100, each answered once with a final 404."));
    }

    [Guard("deletes-the-feature")]
    public async Task User_Existing_IsServedWithItsProfile(LabTarget target)
    {
        // Arrange
        await using var app = target.Start(("Lab:WorkFactor", "10"));
        using var client = app.CreateClient();

        // Act
        using var named = await Get(client, "/api/users/42", "crm");
        using var anonymous = await client.GetAsync(new Uri("/api/users/43", UriKind.Relative));
        using var profile = JsonDocument.Parse(await named.Content.ReadAsStringAsync());

        // Assert
        named.StatusCode.Should().Be(HttpStatusCode.OK);
        anonymous.StatusCode.Should().Be(HttpStatusCode.OK, "a caller without X-Client-Id is served too (and limited by its address)");
        profile.RootElement.GetProperty("name").GetString().Should().Be("User 000042");
        profile.RootElement.GetProperty("signature").GetString().Should().HaveLength(32, "the profile is signed for its caller");
    }

    internal static Task<HttpResponseMessage> Get(HttpClient client, string path, string clientId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(RetryStorm.ClientIdHeader, clientId);
        return client.SendAsync(request);
    }
}

/// <summary>While one caller storms, another keeps its latency: the CPU goes to the requests the service can serve.</summary>
[Collection(RunsAlone.Name)]
public sealed class VictimSpec(ITestOutputHelper output)
{
    [Incident("broken")]
    public async Task Victim_WhileAnotherClientStorms_KeepsItsLatency(LabTarget target)
    {
        // Arrange: each lookup costs several ms of CPU; callers get 10 a second in bursts of 10. The victim stands for
        // many callers, each asking once, so no limit ever refuses it.
        await using var app = target.Start(("Lab:TokensPerSecond", "10"), ("Lab:Burst", "10"), ("Lab:WorkFactor", "8000"));
        using var client = app.CreateClient(TimeSpan.FromSeconds(60));
        await MeasureAsync(client, 10, "victim-warm-up");
        var quiet = await MeasureAsync(client, 30, "victim-quiet");

        // Act: a job of 1,000 deleted users, 64 workers retrying every 5xx at once, while the victim looks up 30 users.
        using var stop = new CancellationTokenSource();
        var job = Enumerable.Range(1, 1_000).Select(i => $"/api/users/{i * 10}").ToList();
        var storm = RetryStorm.RunAsync(client, "batch-job", job, workers: 64, TimeSpan.FromSeconds(30), stop.Token);
        var stormy = await MeasureAsync(client, 30, "victim");
        await stop.CancelAsync();
        var stormResult = await storm;
        var ratio = stormy.P50.TotalMilliseconds / Math.Max(quiet.P50.TotalMilliseconds, 0.1);
        output.WriteLine($"victim quiet: {quiet}; during the storm: {stormy} (median {ratio:N1}x); storm: {stormResult}");

        // Assert: the median, not a tail: a storm that takes the CPU slows every lookup of the victim, while one
        // scheduler hiccup of a busy machine, or one admitted burst, moves only the slowest one or two of 30.
        Symptom.AtMost(ratio, 5, string.Create(CultureInfo.InvariantCulture,
            $"while another caller stormed ({stormResult.Sent:N0} requests, {stormResult.Count("500"):N0} answered 500), the victim's median lookup rose from {quiet.P50.TotalMilliseconds:N1} ms to {stormy.P50.TotalMilliseconds:N1} ms, {ratio:N1}x; expected within 5x."));
    }

    // The victim: one lookup after another, as a page does.
    private static async Task<LatencySummary> MeasureAsync(HttpClient client, int count, string name)
    {
        var times = new List<TimeSpan>();
        for (var i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await LookupSpec.Get(client, $"/api/users/{1 + i % 9}", $"{name}-{i}");
            times.Add(clock.Elapsed);
            response.StatusCode.Should().Be(HttpStatusCode.OK, "the victim asks for users that exist, once per caller");
        }
        return LatencySummary.Of(times);
    }
}
