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
}
