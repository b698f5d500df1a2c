/// Positions in ONNX Runtime's `OrtApi` function table of the functions this backend calls:
/// the version-1 part of the table (fixed since ONNX Runtime 1.0: `onnxruntime_c_api.h`
/// declares them in this order) and the two provider-listing functions of version 2, which the
/// table has kept at 125 and 126 since. Checked by the tests against a live runtime.
enum OrtSlot: Int {
    case getErrorCode = 1
    case getErrorMessage = 2
    case createEnv = 3
    case createSession = 7
    case run = 9
    case createSessionOptions = 10
    case setSessionGraphOptimizationLevel = 23
    case setIntraOpNumThreads = 24
    case setInterOpNumThreads = 25
    case sessionGetInputCount = 30
    case sessionGetOutputCount = 31
    case sessionGetInputTypeInfo = 33
    case sessionGetOutputTypeInfo = 34
    case sessionGetInputName = 36
    case sessionGetOutputName = 37
    case createTensorWithDataAsOrtValue = 49
    case getTensorMutableData = 51
    case castTypeInfoToTensorInfo = 55
    case getTensorElementType = 60
    case getDimensionsCount = 61
    case getDimensions = 62
    case getTensorTypeAndShape = 65
    case createCpuMemoryInfo = 69
    case allocatorFree = 76
    case getAllocatorWithDefaultOptions = 78
    case releaseEnv = 92
    case releaseStatus = 93
    case releaseMemoryInfo = 94
    case releaseSession = 95
    case releaseValue = 96
    case releaseTypeInfo = 98
    case releaseTensorTypeAndShapeInfo = 99
    case releaseSessionOptions = 100
    case getAvailableProviders = 125
    case releaseAvailableProviders = 126
}
