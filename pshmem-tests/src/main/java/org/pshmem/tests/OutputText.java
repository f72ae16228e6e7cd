package org.pshmem.tests;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Reading a job's output in tests: where a line starts, and how often a text occurs.
 */
public final class OutputText
{
    private OutputText()
    {
    }

    /**
     * Returns the index of the first line that starts with a text.
     *
     * @param lines the output, line by line.
     * @param start the text the line starts with.
     * @return the index of the first such line, or -1.
     */
    public static int indexOf(final List<String> lines, final String start)
    {
        for (int i = 0; i < lines.size(); i++)
        {
            if (lines.get(i).startsWith(start))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * Returns how often a text occurs, without overlaps.
     *
     * @param text the output.
     * @param part the text counted.
     * @return how many times {@code part} occurs in {@code text}.
     */
    public static int count(final String text, final String part)
    {
        return text.split(Pattern.quote(part), -1).length - 1;
    }
}
