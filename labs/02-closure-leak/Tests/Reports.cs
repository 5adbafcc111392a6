using Workshop.TestKit;

namespace Lab02.Tests;

/// <summary>What the specs send and read.</summary>
internal static partial class Reports
{
    /// <summary>Sends <paramref name="count"/> report requests, <paramref name="inFlight"/> at a time, each of which must succeed.</summary>
    public static async Task SendAsync(HttpClient client, int count, int inFlight = 8, int firstId = 1)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await RequestFlow.SendAsync(count, inFlight,
            (i, ct) => client.GetAsync($"/api/reports/{firstId + i % 500}", HttpCompletionOption.ResponseContentRead, ct), ct: deadline.Token);
    }
}
