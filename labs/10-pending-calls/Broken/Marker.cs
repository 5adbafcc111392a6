namespace Lab10.Broken;

/// <summary>Names this service for <c>WebApplicationFactory&lt;T&gt;</c>; every lab service has one.</summary>
public sealed class Marker;
