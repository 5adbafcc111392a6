using System.Diagnostics;
using System.Globalization;
using System.Net;
using FluentAssertions;
using Workshop.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Lab08.Tests;

/// <summary>
/// Three replicas behind a round-robin proxy: a caller gets its limit once, not once per replica; it is who its API key
/// says, whatever it calls itself; a key nobody was given is a 401; when Redis dies the service still answers, never a
/// 5xx, and the limit still holds (each replica its share), and when Redis comes back the replicas share it again.
/// </summary>
public sealed class SharedLimitSpec(ITestOutputHelper output)
{
    // A burst of 60 and one token a second: a flood of a few seconds is judged by the burst, and the refill barely counts.
    private const int Burst = 60, TokensPerSecond = 1;
    private static readonly (string, string)[] Knobs = [("Lab:Burst", "60"), ("Lab:TokensPerSecond", "1"), ("Lab:WorkFactor", "1")];

    [Incident("broken")]
    public async Task Caller_FloodAcrossThreeReplicas_GetsItsLimitOnce(LabTarget target)
    {
        // Arrange
        await using var service = await ScaledOut.StartAsync(target, Knobs);

        // Act: 300 lookups from one caller, 20 at a time, spread over the replicas by the proxy.
        var clock = Stopwatch.StartNew();
        var answers = await service.FloodAsync(300, 20, _ => (ScaledOut.BatchJobKey, "batch-job"));
        var bound = Bound(clock.Elapsed);
        var admitted = answers.GetValueOrDefault(200);
        output.WriteLine(Describe(answers, clock.Elapsed, bound));

        // Assert
        Symptom.AtMost(admitted, bound, string.Create(CultureInfo.InvariantCulture,
            $"one caller's 300 lookups through the proxy got {admitted} answered 200 by {ScaledOut.Replicas} replicas in {clock.Elapsed.TotalSeconds:0.0} s; " +
            $"expected at most {bound} (1.2 times its limit: a burst of {Burst} and {TokensPerSecond} a second), the limit being the caller's, not each replica's."));
        answers.Keys.Should().OnlyContain(s => s == 200 || s == 429, "a flood is answered 200 or 429");
    }

    [Incident("broken")]
    public async Task Caller_NamingItselfAnewOnEachRequest_GetsOneBudget(LabTarget target)
    {
        // Arrange
        await using var service = await ScaledOut.StartAsync(target, Knobs);

        // Act: the same key, a new X-Client-Id on every request.
        var clock = Stopwatch.StartNew();
        var answers = await service.FloodAsync(300, 20, i => (ScaledOut.BatchJobKey, $"job-{i}"));
        var bound = Bound(clock.Elapsed);
        var admitted = answers.GetValueOrDefault(200);
        output.WriteLine(Describe(answers, clock.Elapsed, bound));

        // Assert
        Symptom.AtMost(admitted, bound, string.Create(CultureInfo.InvariantCulture,
            $"300 lookups with one API key and a new X-Client-Id each got {admitted} answered 200; expected at most {bound}, one caller's budget: " +
            $"what a caller calls itself must not buy it a new one."));
    }

    [Incident("broken")]
    public async Task Caller_WithAMadeUpKey_Is401ProblemDetails(LabTarget target)
    {
        // Arrange
        await using var service = await ScaledOut.StartAsync(target, Knobs);

        // Act
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/users/5");
        request.Headers.Add("X-Api-Key", "made-up");
        request.Headers.Add("X-Client-Id", "web-shop");
        using var response = await service.Client.SendAsync(request);
        var type = response.Content.Headers.ContentType?.MediaType;

        // Assert
        Symptom.Absent(response.StatusCode == HttpStatusCode.Unauthorized && type == "application/problem+json",
            $"a lookup with an API key nobody was given answered {(int)response.StatusCode} ({type}); expected 401 ProblemDetails: a caller is who its key proves.");
    }

    [Incident("broken", "half-fix")]
    public async Task Redis_KilledAndBack_NoServerErrorTheLimitHoldsThenIsSharedAgain(LabTarget target)
    {
        // Arrange: the service up, Redis known to every replica (one caller's flood goes through it first).
        await using var service = await ScaledOut.StartAsync(target, Knobs);
        await service.FloodAsync(30, 10, _ => (ScaledOut.WebShopKey, "web-shop"));

        // Act: Redis dies; a flood from another caller.
        await service.Redis.KillAsync();
        var clock = Stopwatch.StartNew();
        var whileDown = await service.FloodAsync(300, 20, _ => (ScaledOut.BatchJobKey, "batch-job"));
        var boundDown = Bound(clock.Elapsed);
        output.WriteLine($"Redis down: {Describe(whileDown, clock.Elapsed, boundDown)}");

        // Assert: answered, and within the limit, while Redis is down.
        var errors = whileDown.Where(s => s.Key >= 500).Sum(s => s.Value);
        Symptom.AtMost(errors, 0, $"with Redis killed, one caller's 300 lookups got {errors} answers 5xx ({Statuses(whileDown)}); expected none: a store outage must not become the service's.");
        Symptom.AtMost(whileDown.GetValueOrDefault(200), boundDown, string.Create(CultureInfo.InvariantCulture,
            $"with Redis killed, one caller's 300 lookups got {whileDown.GetValueOrDefault(200)} answered 200; expected at most {boundDown}: each replica its share of a burst of {Burst}, all of them one limit."));

        // Act: Redis comes back; floods from new callers until Redis alone decides one.
        await service.Redis.RestartAsync();
        var back = await SharedAgainAsync(service, TimeSpan.FromSeconds(30));
        output.WriteLine($"Redis back: {back}");

        // Assert
        Symptom.Absent(back.Shared, $"for {back.Seconds:0} s after Redis came back, no new caller's flood of 300 was decided by Redis alone within the limit (the last: {Statuses(back.Last)}, " +
            $"decided by each replica alone: {string.Join(", ", back.DecidedAlone)}); expected the replicas to share the limit again, none deciding alone.");
    }

    [Guard("deletes-the-feature")]
    public async Task WellBehavedCaller_WithinItsLimit_IsServedByEveryReplica(LabTarget target)
    {
        // Arrange
        await using var service = await ScaledOut.StartAsync(target, Knobs);

        // Act: 30 lookups, one at a time: half the caller's burst.
        var lookups = service.Collect("users.lookups");
        var answers = await service.FloodAsync(30, 1, _ => (ScaledOut.WebShopKey, "web-shop"));
        var perReplica = ScaledOut.Totals(lookups);

        // Assert
        answers.GetValueOrDefault(200).Should().Be(30, "a caller within its limit is always served ({0})", Statuses(answers));
        perReplica.Should().OnlyContain(n => n >= 5, "the proxy spreads the lookups over every replica (each did {0})", string.Join(", ", perReplica));
    }

    // 1.2 times what the caller's bucket may allow over the time taken: its burst, and its refill for every second begun.
    private static int Bound(TimeSpan elapsed) => (int)Math.Floor(1.2 * (Burst + TokensPerSecond * (Math.Ceiling(elapsed.TotalSeconds) + 1)));

    private static string Describe(Dictionary<int, int> answers, TimeSpan elapsed, int bound) =>
        string.Create(CultureInfo.InvariantCulture, $"{Statuses(answers)} in {elapsed.TotalMilliseconds:N0} ms (bound {bound})");

    private static string Statuses(Dictionary<int, int> answers) => string.Join(", ", answers.OrderBy(a => a.Key).Select(a => $"{a.Value} x {a.Key}"));

    // Floods from new callers (each with a full bucket), a second apart, until one is decided by Redis alone (no replica
    // deciding by itself, users.limiter.local) within the limit and with no 5xx: the replicas share the limit again.
    // Replicas that have just reconnected decide alone for a second or two; one that never shares again never passes.
    private static async Task<Recovery> SharedAgainAsync(ScaledOut service, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        Dictionary<int, int> answers = [];
        long[] alone = [];
        for (var probe = 1; probe <= ScaledOut.Probes && clock.Elapsed < timeout; probe++)
        {
            var local = service.Collect("users.limiter.local");
            var started = clock.Elapsed;
            answers = await service.FloodAsync(300, 20, _ => (ScaledOut.ProbeKey(probe), $"probe-{probe}"));
            var bound = Bound(clock.Elapsed - started);
            alone = ScaledOut.Totals(local);
            if (alone.Sum() == 0 && answers.GetValueOrDefault(200) <= bound && !answers.Keys.Any(s => s >= 500)) return new Recovery(true, probe, clock.Elapsed.TotalSeconds, answers, alone);
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        return new Recovery(false, ScaledOut.Probes, clock.Elapsed.TotalSeconds, answers, alone);
    }

    private sealed record Recovery(bool Shared, int Probes, double Seconds, Dictionary<int, int> Last, long[] DecidedAlone)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"shared again: {Shared}, after {Probes} flood(s) and {Seconds:0.0} s; the last {Statuses(Last)}, decided alone by replica: {string.Join(", ", DecidedAlone)}");
    }
}
