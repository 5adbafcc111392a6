using System.Diagnostics;
using Lab10.Backend;
using Lab10.Replay;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Workshop.ServiceKit;
using Workshop.Toolkit.Processes;

namespace Lab10.Tests;

/// <summary>
/// The inventory backend on a free loopback port (its line protocol over TCP, as production runs it), dropping the share
/// of answers the test says; and a crowd of callers of the service, each call a task the test can count and cancel.
/// </summary>
internal sealed class Inventory : IAsyncDisposable
{
    private readonly WebApplication _backend;

    private Inventory(WebApplication backend, int port)
    {
        _backend = backend;
        Endpoint = $"127.0.0.1:{port}";
    }

    /// <summary>The backend's protocol endpoint, for the service's <c>Lab:Inventory</c>.</summary>
    public string Endpoint { get; }

    /// <summary>The share of answers the backend drops, from now on.</summary>
    public double DropRate { set => _backend.Services.GetRequiredService<Drops>().Rate = value; }

    /// <summary>Stock checks the backend has received.</summary>
    public long Requests => _backend.Services.GetRequiredService<BackendMetrics>().Requests;

    public static async Task<Inventory> StartAsync(double dropRate)
    {
        var port = LabService.FreePort();
        var backend = BackendApp.Create(["--urls", "http://127.0.0.1:0", $"--{BackendApp.TcpPortKey}={port}", $"--{BackendApp.DropRateKey}={dropRate}"],
            builder => builder.Logging.ClearProviders());
        await backend.StartAsync();
        return new Inventory(backend, port);
    }

    /// <summary>Waits until the backend has received <paramref name="requests"/> stock checks.</summary>
    public async Task ReceivedAsync(long requests, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (Requests < requests)
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"the backend received {Requests} stock checks in {timeout.TotalSeconds:0} s; {requests} were expected");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _backend.StopAsync();
        await _backend.DisposeAsync();
    }
}

/// <summary>Callers of the service: each sends one basket and waits as long as it takes, unless the test cancels it.</summary>
internal sealed class Callers : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<Task<int>> _calls = [];

    /// <summary>Starts <paramref name="count"/> callers at once, baskets <paramref name="from"/> onwards, each with a note of <paramref name="noteBytes"/>.</summary>
    public static Callers Start(HttpClient client, int from, int count, int noteBytes = Baskets.NoteBytes)
    {
        var callers = new Callers();
        for (var i = from; i < from + count; i++)
        {
            var basket = i;
            callers._calls.Add(Task.Run(async () =>
            {
                using var response = await client.SendAsync(Baskets.Check(basket, noteBytes), callers._cancel.Token);
                return (int)response.StatusCode;
            }));
        }
        return callers;
    }

    public int Count => _calls.Count;

    /// <summary>Callers that have their answer (any status).</summary>
    public int Answered => _calls.Count(c => c.IsCompletedSuccessfully);

    /// <summary>The answers so far, by status code.</summary>
    public Dictionary<int, int> Statuses => _calls.Where(c => c.IsCompletedSuccessfully).GroupBy(c => c.Result).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Waits until at least <paramref name="answered"/> callers have their answer, or none has for <paramref name="still"/>.</summary>
    public async Task<int> AnsweredAsync(int answered, TimeSpan still)
    {
        var last = -1;
        var since = Stopwatch.StartNew();
        while (true)
        {
            var now = Answered;
            if (now >= answered) return now;
            if (now != last)
            {
                last = now;
                since.Restart();
            }
            else if (since.Elapsed > still) return now;
            await Task.Delay(20);
        }
    }

    /// <summary>The callers still waiting give up (their requests are cancelled).</summary>
    public void GiveUp() => _cancel.Cancel();

    public string Describe() => $"{Answered} of {Count} callers answered ({string.Join(", ", Statuses.OrderBy(s => s.Key).Select(s => $"{s.Value} x {s.Key}"))})";

    public void Dispose()
    {
        _cancel.Cancel();
        _cancel.Dispose();
    }
}
