using TorchSharp;

namespace Swarm.Learning.Training;

/// <summary>
/// Scalars that stay alive while libtorch reads them.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 hands a <see cref="Scalar"/>'s native handle to libtorch and keeps no reference to the managed
/// object during the call (no <c>GC.KeepAlive</c>). A temporary Scalar (an implicit conversion from a double, or
/// the hidden <c>alpha = 1</c> of <c>Tensor.add(Tensor)</c> and <c>a + b</c>, or the <c>2</c> of <c>square()</c>) is therefore unreachable while the
/// native call runs; when a collection and the finalizer thread get there first, the native value is freed under
/// libtorch's feet and the call fails with "Unknown scalar type" (seen in Adam's <c>mul_(beta1)</c> about once
/// in 3,000 steps while another thread collects, see <c>ScalarLifetimeTests</c>). Tensor code in this project
/// passes only held scalars: the constants below live as long as the process, and a value computed per call is
/// made with <see cref="Of"/> inside a <c>using</c>, which keeps it reachable until the end of its scope.
/// </remarks>
internal static class HeldScalars
{
    public static readonly Scalar One = 1.ToScalar();
    public static readonly Scalar Two = 2.ToScalar();

    /// <summary>A scalar the caller disposes (with <c>using</c>) after the last tensor call that reads it.</summary>
    public static Scalar Of(double value) => value.ToScalar();

    /// <summary><c>x²</c> elementwise; TorchSharp's own <c>square()</c> is <c>pow(2)</c> with a temporary scalar.</summary>
    public static torch.Tensor Squared(this torch.Tensor x) => x.pow(Two);

    /// <summary><c>a + b</c> without TorchSharp's temporary <c>alpha = 1</c>.</summary>
    public static torch.Tensor Plus(this torch.Tensor a, torch.Tensor b) => a.add(b, One);

    /// <summary><c>a += b</c> without TorchSharp's temporary <c>alpha = 1</c>.</summary>
    public static torch.Tensor PlusInPlace(this torch.Tensor a, torch.Tensor b) => a.add_(b, One);
}
