namespace Swarm.Learning.Data.Numpy;

/// <summary>The element types this reader accepts (all little-endian or byte-sized).</summary>
public enum NpyDType
{
    /// <summary><c>|u1</c>: unsigned byte.</summary>
    UInt8,

    /// <summary><c>&lt;f4</c>: IEEE single.</summary>
    Float32,

    /// <summary><c>&lt;i8</c>: signed 64-bit integer.</summary>
    Int64,

    /// <summary><c>&lt;f8</c>: IEEE double.</summary>
    Float64,
}
