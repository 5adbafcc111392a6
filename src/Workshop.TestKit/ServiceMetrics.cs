using Workshop.Toolkit.Prometheus;

namespace Workshop.TestKit;

/// <summary>A lab service's /metrics, read the way the toolkit reads it (one Prometheus parser for the whole workshop).</summary>
public static class ServiceMetrics
{
    /// <summary>
    /// The figure <paramref name="name"/> on the service's /metrics, summed over its labels, or null when the service
    /// does not export it: a spec tells "absent" from zero.
    /// </summary>
    public static async Task<double?> ReadAsync(HttpClient client, string name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var snapshot = MetricsSnapshot.Parse(await client.GetStringAsync("/metrics", ct).ConfigureAwait(false));
        return snapshot.Contains(name) ? snapshot.Sum(name) : null;
    }
}

/// <summary>
/// The collection for tests that must run alone (memory tests: forced full collections see every other test's heap).
/// xunit wants its definition in the test assembly: <c>Linked/RunsAloneCollection.cs</c> is compiled into every lab's
/// spec (labs/Directory.Build.props links it), so a spec only puts <c>[Collection(RunsAlone.Name)]</c> on a class.
/// </summary>
public static class RunsAlone
{
    /// <summary>The collection's name.</summary>
    public const string Name = "runs alone";
}
