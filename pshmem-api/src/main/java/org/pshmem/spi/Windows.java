package org.pshmem.spi;

/**
 * The size of the windows through which a {@link NodeSegment} is seen, the same for every transport: 1 GiB, the
 * largest power of two a {@link java.nio.ByteBuffer} can span.
 *
 * <p>For tests only, the system property {@code pshmem.test.windowShift} (3 to 30) makes windows of
 * {@code 1 << shift} bytes, so that small arrays cross windows and the code that splits reads and writes at
 * window boundaries runs on every test run, not only with arrays of several GiB. It is read once, when this
 * class is first used; views of arrays larger than a window are refused, so it is not for programs.
 */
public final class Windows
{
    /** The name of the test-only setting. */
    public static final String SHIFT_PROPERTY = "pshmem.test.windowShift";

    private static final int MIN_SHIFT = 3; // no 8-byte element may straddle two windows
    private static final int MAX_SHIFT = 30;

    /** log2 of the window size in bytes. */
    public static final int SHIFT = shiftSetting();

    private Windows()
    {
    }

    /**
     * Returns the number of windows that cover them.
     *
     * @param byteSize bytes of a segment, zero or more.
     * @return the number of windows that cover them.
     */
    public static int count(final long byteSize)
    {
        return (int)((byteSize + (1L << SHIFT) - 1) >>> SHIFT);
    }

    /**
     * Returns the number of bytes in that window: {@code 1 << SHIFT}, less for the last.
     *
     * @param byteSize bytes of a segment.
     * @param window   a window index below {@link #count(long)}.
     * @return the number of bytes in that window: {@code 1 << SHIFT}, less for the last.
     */
    public static int length(final long byteSize, final int window)
    {
        return (int)Math.min(1L << SHIFT, byteSize - ((long)window << SHIFT));
    }

    private static int shiftSetting()
    {
        final String text = Setting.TEST_WINDOW_SHIFT.explicitValue().orElse(null);
        if (null == text)
        {
            return MAX_SHIFT;
        }
        final int shift;
        try
        {
            shift = Integer.parseInt(text.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(SHIFT_PROPERTY + " must be a whole number, not '" + text + "'", ex);
        }
        if (shift < MIN_SHIFT || shift > MAX_SHIFT)
        {
            throw new IllegalArgumentException(SHIFT_PROPERTY + " must be from " + MIN_SHIFT + " to " + MAX_SHIFT +
                ", not " + shift);
        }
        return shift;
    }
}
