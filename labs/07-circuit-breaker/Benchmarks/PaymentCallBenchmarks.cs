using BenchmarkDotNet.Attributes;
using Lab07;
using Lab07.Checkout;
using Lab07.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Workshop.ServiceKit;

namespace Lab07.Benchmarks;

/// <summary>
/// One charge of a healthy provider, as the shop makes it: <c>POST /v1/charges</c> with the order, the first line of
/// the answer read for the reference. The provider is a Kestrel server on a loopback port, in this process, answering
/// at once, so what differs between the two is the client side alone.
/// </summary>
/// <remarks>
/// Baseline: Fixed's <see cref="PaymentClient"/> on a plain typed client, one call and nothing around it (what Broken
/// does when the provider answers the first try). Against it: the same client with Fixed's resilience pipeline, as
/// <c>Fixed/Program.cs</c> registers it, <see cref="PaymentPipeline"/> (total timeout, retry, circuit breaker closed, attempt timeout).
/// </remarks>
[MemoryDiagnoser]
public class PaymentCallBenchmarks
{
    private WebApplication _provider = null!;
    private ServiceProvider _plain = null!;
    private ServiceProvider _resilient = null!;
    private PaymentClient _plainClient = null!;
    private PaymentClient _resilientClient = null!;
    private readonly Order _order = new("ord-000001", [new OrderLine("SKU-1001", 2, 24.90m)], 49.80m, OrderStatus.AwaitingPayment, null);

    [GlobalSetup]
    public async Task StartAsync()
    {
        _provider = Loopback.CreateSlimBuilder().Build();
        long sequence = 0;
        _provider.MapPost("/v1/charges", (HttpContext context) =>
            context.Response.WriteAsync($"{{\"path\":\"/v1/charges\",\"method\":\"POST\",\"sequence\":{Interlocked.Increment(ref sequence)}}}\n"));
        await _provider.StartAsync();
        var address = _provider.Services.BoundAddress();

        _plain = Services(address, resilient: false);
        _resilient = Services(address, resilient: true);
        _plainClient = _plain.GetRequiredService<PaymentClient>();
        _resilientClient = _resilient.GetRequiredService<PaymentClient>();
        // Both warm: a connection open, the pipeline built.
        await PlainAsync();
        await ResilientAsync();
    }

    [Benchmark(Baseline = true, Description = "one call, nothing around it")]
    public async Task<PaymentResult> PlainAsync() => await _plainClient.ChargeAsync(_order, "tok_visa4242", CancellationToken.None);

    [Benchmark(Description = "Fixed: through the resilience pipeline, breaker closed")]
    public async Task<PaymentResult> ResilientAsync() => await _resilientClient.ChargeAsync(_order, "tok_visa4242", CancellationToken.None);

    private static ServiceProvider Services(Uri provider, bool resilient)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddSingleton<ShopMetrics>();
        services.AddOptions<LabOptions>().Configure(o => o.PaymentUrl = provider.ToString().TrimEnd('/'));
        var payments = services.AddHttpClient<PaymentClient>(client =>
        {
            client.BaseAddress = provider;
            client.Timeout = resilient ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(10);
        });
        if (resilient) payments.AddResilienceHandler("payments", PaymentPipeline.Configure);
        return services.BuildServiceProvider();
    }

    [GlobalCleanup]
    public async Task StopAsync()
    {
        await _resilient.DisposeAsync();
        await _plain.DisposeAsync();
        await _provider.DisposeAsync();
    }
}
