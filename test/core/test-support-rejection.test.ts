import { validationError } from "@wxnotify/core";
import { caught, rejection } from "../support/notify-errors";

describe("test/support rejection() and caught()", () => {
  it("return the NotifyError a call fails with", async () => {
    const error = await rejection(
      Promise.reject(
        validationError("wecom-app", "MISSING_FIELD", '"content" is required.'),
      ),
    );
    expect(error.code).toBe("MISSING_FIELD");
    expect(
      caught(() => {
        throw validationError("wxpusher", "NO_RECIPIENTS", "no uids");
      }).code,
    ).toBe("NO_RECIPIENTS");
  });

  it("fail the test when the call succeeds", async () => {
    await expect(rejection(Promise.resolve({ ok: true }))).rejects.toThrow(
      /resolved with \{"ok":true\}/,
    );
    expect(() => caught(() => 1)).toThrow(
      /expected the call to throw a NotifyError/,
    );
  });

  it("fail the test when the call fails with something that is not a NotifyError", async () => {
    await expect(
      rejection(Promise.reject(new TypeError("boom"))),
    ).rejects.toThrow(/expected a NotifyError, got TypeError: boom/);
    expect(() =>
      caught(() => {
        throw new RangeError("bad");
      }),
    ).toThrow(/got RangeError: bad/);
  });
});
