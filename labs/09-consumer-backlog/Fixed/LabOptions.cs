using System.ComponentModel.DataAnnotations;

namespace Lab09;

/// <summary>The incident knobs, read from the <c>Lab</c> section (environment: <c>Lab__Broker=amqp://...</c>).</summary>
public sealed class LabOptions
{
    public const string Section = "Lab";

    /// <summary>The RabbitMQ broker the order events come from.</summary>
    [Required]
    public Uri Broker { get; set; } = new("amqp://guest:guest@127.0.0.1:5672/");

    /// <summary>The durable queue the shop publishes an <c>OrderPlaced</c> event to for every order.</summary>
    [Required]
    public string Queue { get; set; } = "order-events";

    /// <summary>The warehouse system that reserves an order's stock: one call per order.</summary>
    [Required]
    public Uri Warehouse { get; set; } = new("http://127.0.0.1:5090/");

    // FIX: the most messages the broker may hand this consumer before it acknowledges any; the backlog waits in the queue.
    /// <summary>Messages the broker may send this consumer ahead of its acknowledgements (RabbitMQ's prefetch count).</summary>
    [Range(1, 1_000)]
    public int Prefetch { get; set; } = 32;

    // FIX: handlers at once, each awaiting the warehouse: the throughput the prefetch buys.
    /// <summary>Order events handled at once.</summary>
    [Range(1, 64)]
    public int Concurrency { get; set; } = 8;

    // FIX: how long a stopping consumer lets the events in hand finish before it gives them back to the broker.
    /// <summary>Seconds a stopping consumer waits for the events it is handling.</summary>
    [Range(0, 120)]
    public int ShutdownGraceSeconds { get; set; } = 10;
}
