
namespace Lab02.Tests;

/// <summary>What the specs send and read.</summary>
internal static partial class Reports
{
    /// <summary>Sends <paramref name="count"/> report requests, <paramref name="inFlight"/> at a time, each of which must succeed.</summary>
    public static async Task SendAsync(HttpClient client, int count, int inFlight = 8, int firstId = 1)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = inFlight, CancellationToken = deadline.Token },
            async (i, ct) =>
            {
                using var response = await client.GetAsync($"/api/reports/{firstId + i % 500}", HttpCompletionOption.ResponseContentRead, ct);
                response.EnsureSuccessStatusCode();
            });
    }

    /// <summary>A figure from the service's /metrics (summed over its labels), or null when the service does not report it.</summary>
    public static Task<double?> MetricAsync(HttpClient client, string name) => Workshop.TestKit.ServiceMetrics.ReadAsync(client, name);
}
