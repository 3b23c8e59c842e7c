/**
 * Fake WeCom upstreams for every suite (core, n8n nodes, NestJS, the real-n8n suite, benchmarks).
 * See the header comments of fake-wecom.ts and fake-robot.ts for what each enforces and how to
 * steer it (injected clock, token invalidation, error injection, transport faults).
 */
export { FakeWeCom, startFakeWeCom, type FakeWeComOptions, type FakeDelivery, type FakeUpload, type FakeDepartment, type FakeUser } from './fake-wecom';
export { FakeRobot, startFakeRobot, type FakeRobotOptions, type FakeRobotDelivery } from './fake-robot';
export { parseMultipart, type FakePart } from './multipart';
export { FakeCardBook, type FakeCallbackTarget, type FakeCardTask, type FakeCardUpdate, type FakeCardClick, type FakeClickResult } from './fake-cards';
