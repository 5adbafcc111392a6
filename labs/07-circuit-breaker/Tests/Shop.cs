using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using Workshop.Toolkit.Processes;

namespace Lab07.Tests;

/// <summary>What the specs send the shop, and how they time it.</summary>
internal static class Shop
{
    /// <summary>Two bags of beans, 49.80 EUR, with a card token from the payment form.</summary>
    public static object Cart { get; } = new { items = new[] { new { sku = "SKU-1001", quantity = 2 } }, cardToken = "tok_visa4242" };

    public static (string, string)[] Settings(Downstream provider, params (string, string)[] more) =>
        [("Lab:PaymentUrl", provider.BaseAddress.ToString().TrimEnd('/')), .. more];

    /// <summary>A checkout; with <paramref name="patience"/>, one still unanswered then is given up and told as such.</summary>
    public static Task<Answer> CheckoutAsync(HttpClient client, object? cart = null, TimeSpan? patience = null) =>
        SendAsync(ct => client.PostAsJsonAsync(new Uri("/api/checkout", UriKind.Relative), cart ?? Cart, ct), patience);

    public static Task<Answer> GetAsync(HttpClient client, string path, TimeSpan? patience = null) =>
        SendAsync(ct => client.GetAsync(new Uri(path, UriKind.Relative), ct), patience);

    // A spec that has seen an answer take five times its bound has its verdict, and need not wait out a hung provider.
    private static async Task<Answer> SendAsync(Func<CancellationToken, Task<HttpResponseMessage>> send, TimeSpan? patience)
    {
        using var giveUp = new CancellationTokenSource(patience ?? Timeout.InfiniteTimeSpan);
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await send(giveUp.Token);
            var body = await response.Content.ReadAsStringAsync(giveUp.Token);
            return new Answer(response.StatusCode, clock.Elapsed, response.Content.Headers.ContentType?.MediaType,
                response.Headers.RetryAfter?.Delta, body);
        }
        catch (OperationCanceledException) when (giveUp.IsCancellationRequested)
        {
            return new Answer(0, clock.Elapsed, null, null, "");
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> while moving the test's clock on, 100 ms at a time, each time the work has been
    /// pending for a moment: the pauses a service takes on its clock (a retry's backoff) end, and nothing longer (a
    /// break of a minute) can pass by accident, as a checkout needs a few steps at most.
    /// </summary>
    public static async Task<T> WhileTimePasses<T>(FakeTimeProvider time, Task<T> work)
    {
        while (!work.IsCompleted)
        {
            await Task.WhenAny(work, Task.Delay(20));
            if (!work.IsCompleted) time.Advance(TimeSpan.FromMilliseconds(100));
        }
        return await work;
    }

    public static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:N0}";
}

/// <summary>One answer of the shop: its status, how long it took, and what came with it.</summary>
internal sealed record Answer(HttpStatusCode Status, TimeSpan Took, string? MediaType, TimeSpan? RetryAfter, string Body)
{
    public int Code => (int)Status;

    /// <summary>How long it took, or that it had not come when the spec stopped waiting.</summary>
    public string Timing => Code == 0 ? $"over {Shop.Ms(Took)} ms (no answer yet)" : $"{Shop.Ms(Took)} ms";

    public override string ToString() => Code == 0 ? $"no answer in {Shop.Ms(Took)} ms" : $"{Code} in {Shop.Ms(Took)} ms";
}
